using System.Diagnostics;
using ActorRL.Actors.Cluster;
using ActorRL.Actors.Persistence;
using ActorRL.Actors.Rlhf.Journal;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Stages;
using ActorRL.Models.Rlhf.Tasks;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Rlhf;

/// <summary>
/// The coordinator: drives the stages, the evaluation before and after, and the RL loop; owns the step counter and the
/// policy version; tracks every sample by id; and applies per-phase deadlines.
/// </summary>
/// <remarks>
/// <para>Every piece of work goes out as a <see cref="RoleRequest"/> with a request id and a deadline timer. A reply
/// settles it; a <see cref="RoleFailed"/> reply (the role threw, and its supervisor — this actor — restarts it) re-sends
/// it to the restarted role; a missed deadline names the role in the log, replaces it with a fresh incarnation and
/// re-sends the work there. Replies to requests already settled (a replaced role answering late) are dropped, and a
/// sample id is trained on at most once.</para>
/// <para>The coordinator never blocks: it is a state machine driven by replies, so supervision of its children and
/// its timers keep working while roles compute.</para>
/// <para>It is event-sourced (persistence id <see cref="RunJournal.PersistenceId"/>): it journals the run's start, each
/// completed step with the ids of the samples it trained on, each committed checkpoint and each change of the
/// objective's state, and recovers its <see cref="RunHistory"/> from them before it handles anything. From that history
/// it continues: from the newest committed checkpoint that verifies, with the samples already trained on known by id.
/// A journal write that fails after the store's retries ends the run with that error; what was committed stays.</para>
/// </remarks>
internal sealed partial class Coordinator : PersistentActor
{
    /// <summary>The stage runner, the learner and the other single roles by slot name; rollout workers are rollout-1..N.</summary>
    private readonly Dictionary<string, RoleSlot> slots = [];
    private readonly Dictionary<long, Pending> pending = [];
    private readonly RlhfRunSettings settings;
    private readonly Action<RlhfRunEvent> observer;
    private readonly TaskCompletionSource<RlhfRunResult> completion;
    private readonly FaultInjector faults;
    private readonly CancellationToken stopping;
    private readonly LearnerState learnerState = new();
    private readonly PreferenceRounds rounds = new();
    private readonly Dictionary<string, StageResult> stageResults = [];
    private readonly List<StageResult> stages = [];
    private readonly IRlTask task;
    private readonly PersistenceSettings journal;
    private readonly IRolePlacement? placement;
    private RoleSetup? setup;
    private long lastRequestId;
    private int restarts;
    private bool stopRequested, finished;
    private IReadOnlyList<EvalFigure> before = [];

    public Coordinator(RlhfRunSettings settings, Action<RlhfRunEvent> observer, TaskCompletionSource<RlhfRunResult> completion,
        FaultInjector faults, PersistenceSettings journal, CancellationToken stopping, IRolePlacement? placement = null)
    {
        this.placement = placement;
        // Request ids stay unique across the attempts of a run: a late reply from an earlier attempt (a result still in
        // a cluster queue) can never settle a request of this one.
        lastRequestId = DateTime.UtcNow.Ticks;
        this.journal = journal;
        this.settings = settings;
        this.observer = observer;
        this.completion = completion;
        this.faults = faults;
        this.stopping = stopping;
        task = RlTasks.Create(settings.Task, settings.Seed);
        Recover<RunStarted>(e => history = history.Apply(e));
        Recover<StepCompleted>(e => history = history.Apply(e));
        Recover<CheckpointCommitted>(e => history = history.Apply(e));
        Recover<ObjectiveStateChanged>(e => history = history.Apply(e));
        Recover<DemonstrationRewardsCached>(e => history = history.Apply(e));
        Recover<RunFinished>(e => history = history.Apply(e));
        Recover<RecoveryCompleted>(_ => ChooseResumePoint());
        Command<Begin>(_ => RunStages(0));
        Command<StopRequested>(_ => OnStop());
        Command<RoleReply>(OnReply);
        Command<DeadlineMissed>(OnDeadline);
        Command<StageProgressed>(p => Emit(new StageStepped(p.Progress)));
        Command<MemberDown>(OnMemberDown);
    }

    public override string PersistenceId => RunJournal.PersistenceId;

    protected override PersistenceSettings ResolveSettings() => journal;

    /// <summary>Roles that throw are restarted in place (with back-off); the coordinator re-sends their work.</summary>
    public override SupervisorStrategy SupervisorStrategy { get; } = RoleSupervision.Strategy();

    private RoleSetup Setup => setup ?? throw new InvalidOperationException("the roles are created after the stages");

    private ILogger Log => Context.Log;

    protected internal override void PreStart()
    {
        base.PreStart();
        if (placement is not null) Context.System.EventStream.Subscribe<MemberDown>(Self);
    }

    // A failure of the coordinator itself ends the run with that failure rather than restarting it with its state lost.
    protected internal override void PreRestart(Exception reason, object? message)
    {
        Fail(reason);
        base.PreRestart(reason, message);
    }

    // Without its journal the run cannot count its samples: it ends with the store's error (which names the file or
    // server) instead of going on. What the journal committed stays, and the same command continues from it.
    protected override void OnPersistFailure(PersistFailedException cause) => FailAndStop(cause);

    protected override void OnRecoveryFailure(RecoveryFailedException cause) => FailAndStop(cause);

    private void FailAndStop(Exception cause)
    {
        Log.LogError("{Error}", cause.Message);
        Fail(cause);
        Context.Stop(Self);
    }

    protected internal override void PostStop()
    {
        // Roles placed on other nodes do not stop with the coordinator's children.
        if (placement is not null)
        {
            foreach (RoleSlot slot in slots.Values) slot.Stop();
        }
        faults.Dispose();
        learnerState.Dispose();
        completion.TrySetException(new InvalidOperationException("the coordinator stopped before the run ended"));
    }

    // ---- stages -------------------------------------------------------------------------------------------------

    private IReadOnlyList<string> StagesToRun()
    {
        var list = new List<string> { "sft" };
        // A learned reward model is needed where the task has no verifier (reviews, preferences); for ROPO it is optional.
        if (settings.Stages.RewardModel.Steps > 0 && task.VerifiedReward(0, task.Prompt(0)) is null) list.Add("reward_model");
        if (settings.Objective is "rto" or "drto") list.Add("dpo");
        return list;
    }

    private void RunStages(int index)
    {
        IReadOnlyList<string> names = StagesToRun();
        if (index == 0) slots["stages"] = NewSlot("stages", "stages", () => Props.Create(() => new StageRunnerActor(new RoleSetup(settings, faults, new Dictionary<string, string>(), null), stopping)));
        if (stopRequested)
        {
            Complete(cancelled: true, checkpoint: "");
            return;
        }
        if (index == names.Count)
        {
            StopSlot("stages");
            slots.Remove("stages");
            setup = new RoleSetup(settings, faults, stageResults.ToDictionary(r => r.Key, r => r.Value.CheckpointDir), resumePoint?.Directory);
            EvaluateBefore();
            return;
        }
        string stage = names[index];
        Emit(new StageStarted(stage, stage switch
        {
            "sft" => settings.Stages.Sft.Steps,
            "reward_model" => settings.Stages.RewardModel.Steps,
            _ => settings.Stages.Dpo.Steps,
        }));
        Request<StageCompleted>("stages", id => new StageRequested(id, stage, new Dictionary<string, StageResult>(stageResults)), settings.Deadlines.Stage, done =>
        {
            if (done.Cancelled)
            {
                Complete(cancelled: true, checkpoint: "");
                return;
            }
            if (done.Result is { } result)
            {
                stageResults[stage] = result;
                stages.Add(result);
                Emit(new StageFinished(result));
            }
            RunStages(index + 1);
        });
    }

    // ---- evaluation ---------------------------------------------------------------------------------------------

    private void EvaluateBefore()
    {
        Emit(new StageStarted("eval_before", 0));
        Evaluate("before", stageResults["sft"].CheckpointDir, figures =>
        {
            before = figures;
            if (stopRequested) Complete(cancelled: true, checkpoint: "");
            else StartRl();
        });
    }

    private void Evaluate(string label, string policyDir, Action<IReadOnlyList<EvalFigure>> then)
    {
        if (settings.Eval.Examples == 0)
        {
            then([]);
            return;
        }
        slots["evaluator"] = NewSlot("evaluator", "evaluator", () => Props.Create(() => new EvaluatorActor(Setup)));
        Request<Evaluated>("evaluator", id => new EvaluationRequested(id, label, policyDir), settings.Deadlines.Stage, evaluated =>
        {
            StopSlot("evaluator");
            slots.Remove("evaluator");
            Emit(new EvaluationCompleted(label, evaluated.Figures));
            then(evaluated.Figures);
        });
    }

    // ---- the end ------------------------------------------------------------------------------------------------

    private void OnStop()
    {
        if (stopRequested || finished) return;
        stopRequested = true;
        Log.LogInformation("stop requested: finishing the current step, then writing a checkpoint");
        if (rlStarted && !training && !roundInFlight) Finish(cancelled: true);
    }

    /// <summary>Writes the final checkpoint, evaluates it unless cancelled, and completes the run.</summary>
    private void Finish(bool cancelled)
    {
        if (checkpointing) return;
        checkpointing = true;
        WriteCheckpoint(dir =>
        {
            if (cancelled) Complete(cancelled: true, dir);
            else
            {
                Emit(new StageStarted("eval_after", 0));
                Evaluate("after", dir, after => Complete(cancelled: false, dir, after));
            }
        });
    }

    private void Complete(bool cancelled, string checkpoint, IReadOnlyList<EvalFigure>? after = null)
    {
        if (finished) return;
        finished = true;
        if (!cancelled && rlStarted) Persist(new RunFinished { Steps = stepsDone, Checkpoint = checkpoint }, e => history = history.Apply(e));
        foreach (long id in pending.Keys) Timers.Cancel(DeadlineKey(id));
        pending.Clear();
        completion.TrySetResult(new RlhfRunResult(stepsDone, publishedVersion, checkpoint, stages, before, after ?? [], restarts, cancelled));
    }

    private void Fail(Exception reason)
    {
        finished = true;
        completion.TrySetException(reason);
    }

    private void Emit(RlhfRunEvent e)
    {
        Context.System.EventStream.Publish(e);
        try
        {
            observer(e);
        }
        catch (Exception error)
        {
            Log.LogError(error, "the run's observer threw on {Event}", e.GetType().Name);
        }
    }

    // ---- requests, failures and deadlines ------------------------------------------------------------------------

    private sealed record Pending(string Slot, RoleRequest Request, TimeSpan Deadline, Action<RoleReply> OnReply)
    {
        public int Attempts { get; set; } = 1;
    }

    private sealed record DeadlineMissed(long RequestId);

    private sealed class RoleSlot(string name, Func<int, IActorRef> spawn, Action<IActorRef> stop)
    {
        public string Name { get; } = name;
        public IActorRef Ref { get; private set; } = spawn(1);
        public int Incarnation { get; private set; } = 1;

        public void Stop() => stop(Ref);

        /// <summary>Stops this incarnation and starts the next.</summary>
        public void Replace()
        {
            stop(Ref);
            Ref = spawn(++Incarnation);
        }
    }

    /// <summary>A slot playing <paramref name="role"/>: placed by the run's placement, or else a child of the coordinator.</summary>
    private RoleSlot NewSlot(string name, string role, Func<Props> props) => new(name,
        incarnation => (setup is { } s ? placement?.Spawn(name, role, incarnation, s, Context) : null)
            ?? Context.ActorOf(props(), incarnation == 1 ? name : $"{name}-{incarnation}"),
        actor =>
        {
            if (placement is not null && Context.Child(actor.Path.Name) is null) placement.Stop(actor, Context);
            else Context.Stop(actor);
        });

    private void StopSlot(string name)
    {
        slots[name].Stop();
        slots.Remove(name);
    }

    private static (string, long) DeadlineKey(long requestId) => ("deadline", requestId);

    private void Request<TReply>(string slot, Func<long, RoleRequest> make, TimeSpan deadline, Action<TReply> onReply) where TReply : RoleReply
    {
        long id = ++lastRequestId;
        var request = new Pending(slot, make(id), deadline, reply => onReply((TReply)reply));
        pending[id] = request;
        Send(id, request);
    }

    private void Send(long id, Pending request)
    {
        slots[request.Slot].Ref.Tell(request.Request, Self);
        Timers.StartSingleTimer(DeadlineKey(id), new DeadlineMissed(id), request.Deadline);
    }

    private const int MaxAttempts = 5;

    private void OnReply(RoleReply reply)
    {
        if (finished) return;
        if (!pending.Remove(reply.RequestId, out Pending? request))
        {
            Log.LogDebug("dropped a late {Reply} for request {Request}", reply.GetType().Name, reply.RequestId);
            return;
        }
        Timers.Cancel(DeadlineKey(reply.RequestId));
        if (reply is RoleFailed failed)
        {
            restarts++;
            Emit(new RoleRestarted(failed.Role, failed.Error));
            if (failed.Permanent)
            {
                // Re-sending would fail the same way (a diverged update): end the run with what the journal committed.
                Log.LogError("{Role} cannot do {Request} of step {Step}: {Error}", failed.Role, request.Request.GetType().Name, request.Request.Step, failed.Error);
                Fail(new InvalidOperationException($"step {request.Request.Step}: {failed.Role}: {failed.Error}"));
                return;
            }
            Retry(reply.RequestId, request, $"{failed.Role} failed: {failed.Error}");
            return;
        }
        try
        {
            request.OnReply(reply);
        }
        catch (Exception e)
        {
            Log.LogError(e, "the run failed handling {Reply}", reply.GetType().Name);
            Fail(e);
        }
    }

    private void OnDeadline(DeadlineMissed missed)
    {
        if (finished || !pending.TryGetValue(missed.RequestId, out Pending? request)) return;
        string role = slots[request.Slot].Ref.Path.ToString();
        Log.LogWarning("{Role} missed its {Deadline:0.###} s deadline for {Request} of step {Step}: replacing it and re-sending the work",
            role, request.Deadline.TotalSeconds, request.Request.GetType().Name, request.Request.Step);
        Replace(missed.RequestId, request, $"missed its {request.Deadline.TotalSeconds:0.###} s deadline");
    }

    // A node of the cluster went down: the roles placed there will not answer, so their work is re-sent at once to
    // replacements on the nodes still up, rather than after its deadline.
    private void OnMemberDown(MemberDown down)
    {
        if (finished) return;
        foreach ((long id, Pending request) in pending.ToList())
        {
            if (slots.TryGetValue(request.Slot, out RoleSlot? slot) && slot.Ref.Path.Address.Host == down.Member.Node)
            {
                Log.LogWarning("{Role} was on node {Node}, which is down ({Reason}): replacing it and re-sending {Request} of step {Step}",
                    slot.Ref.Path, down.Member.Node, down.Reason, request.Request.GetType().Name, request.Request.Step);
                Timers.Cancel(DeadlineKey(id));
                Replace(id, request, $"its node {down.Member.Node} is down");
            }
        }
    }

    private void Replace(long id, Pending request, string why)
    {
        pending.Remove(id);
        RoleSlot slot = slots[request.Slot];
        string role = slot.Ref.Path.ToString();
        restarts++;
        Emit(new RoleRestarted(role, why));
        slot.Replace();
        Retry(id, request, $"{role} {why}");
    }

    private void Retry(long id, Pending request, string why)
    {
        if (request.Attempts >= MaxAttempts)
        {
            Fail(new InvalidOperationException($"{request.Request.GetType().Name} of step {request.Request.Step} failed {request.Attempts} times; last: {why}"));
            return;
        }
        request.Attempts++;
        // A restarted or replacement rollout worker starts from the SFT weights: give it the current version first.
        if (request.Slot.StartsWith("rollout-", StringComparison.Ordinal) && latestWeights is { } weights)
        {
            slots[request.Slot].Ref.Tell(new WeightsPublished(weights), Self);
        }
        pending[id] = request;
        Send(id, request);
    }

    /// <summary>Sent by <see cref="RlhfRun"/> to start the run.</summary>
    internal sealed record Begin;

    /// <summary>Sent by <see cref="RlhfRun"/> on cancellation.</summary>
    internal sealed record StopRequested;
}
