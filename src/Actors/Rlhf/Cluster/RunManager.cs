using ActorRL.Actors.Cluster;
using ActorRL.Actors.Persistence;
using ActorRL.Actors.Rlhf.Journal;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Rlhf.Cluster;

/// <summary>
/// The cluster singleton of an RLHF cluster (<c>/user/rlhf</c> on the node holding the lock): runs the run's
/// coordinator with its roles placed on the cluster and its journal in the shared database. It starts the run when a
/// client asks (<see cref="RunWanted"/>), and on its own when it takes over from a node that died with the run unfinished:
/// the coordinator then recovers from the journal and continues from the last committed checkpoint. Clients are told
/// <see cref="RunProgress"/> and <see cref="RunEnded"/>.
/// </summary>
internal sealed class RunManager : ReceiveActor
{
    /// <summary>The singleton's name.</summary>
    public const string Name = "rlhf";

    private readonly RlhfRunSettings settings;
    private readonly ClusterNode node;
    private readonly PersistenceSettings journal;
    private readonly FaultInjector faults;
    private readonly HashSet<IActorRef> clients = [];
    private RolloutQueues? queues;
    private IActorRef? coordinator;
    private RunEnded? ended;
    private bool starting;

    public RunManager(RlhfRunSettings settings, ClusterNode node, PersistenceSettings journal, FaultInjector faults)
    {
        this.settings = settings;
        this.node = node;
        this.journal = journal;
        this.faults = faults;
        ReceiveAsync<Recovered>(OnRecoveredAsync);
        ReceiveAsync<TakeOver>(_ => StartAsync());
        ReceiveAsync<RunWanted>(OnWantedAsync);
        Receive<Observed>(OnObserved);
        Receive<Completed>(OnCompleted);
    }

    private sealed record Recovered;

    private sealed record TakeOver;

    private sealed record Observed(RlhfRunEvent Event);

    private sealed record Completed(RunEnded Ended);

    protected internal override void PreStart() => Self.Tell(new Recovered());

    // A manager that took over finds the run in the journal: unfinished, it continues it.
    private async Task OnRecoveredAsync(Recovered _)
    {
        RunHistory history = await RunJournal.ReadAsync(journal.Journal);
        if (history.Attempts > 0 && !history.Finished)
        {
            // Taking over from a node that just died: by the failure timeout every member has marked it down, so no
            // role is placed on it.
            Context.Log.LogInformation("node {Node} continues the unfinished run from its journal ({Steps} committed steps) in {Wait:0.#} s",
                node.Settings.NodeName, history.Steps.Count, node.Settings.FailureTimeout.TotalSeconds);
            Timers.StartSingleTimer("take-over", new TakeOver(), node.Settings.FailureTimeout);
        }
        else if (history.Finished)
        {
            ended = new RunEnded(history.Steps.Count == 0 ? 0 : history.Steps[^1].Step, history.Checkpoints.Count == 0 ? "" : history.Checkpoints[^1].Directory,
                false, "", node.Settings.NodeName);
        }
    }

    private async Task OnWantedAsync(RunWanted wanted)
    {
        IActorRef client = node.Resolve(wanted.Client);
        if (wanted.ConfigSha256 != settings.ConfigSha256)
        {
            client.Tell(new RunEnded(0, "", false,
                $"the cluster's coordinator node {node.Settings.NodeName} runs configuration {settings.ConfigSha256[..12]}, the client {wanted.ConfigSha256[..Math.Min(12, wanted.ConfigSha256.Length)]}: use the same file everywhere",
                node.Settings.NodeName));
            return;
        }
        clients.Add(client);
        if (ended is not null) client.Tell(ended);
        else await StartAsync();
    }

    private async Task StartAsync()
    {
        if (coordinator is not null || starting) return;
        starting = true;
        // Each attempt publishes its policy versions on a topic of its own.
        queues = await RolloutQueues.OpenAsync(node, $"policy-{DateTime.UtcNow.Ticks}");
        WireRegistry wire = RlhfClusterWire.Create();
        IActorRef weights = Context.ActorOf(Props.Create(() => new WeightsRelay(queues.Weights, wire)), "weights");
        var placement = new ClusterRolePlacement(node, queues, weights);
        var completion = new TaskCompletionSource<RlhfRunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        IActorRef self = Self;
        coordinator = Context.ActorOf(Props.Create(() => new Coordinator(settings, e => self.Tell(new Observed(e)), completion, faults, journal,
            CancellationToken.None, placement)), "coordinator");
        IActorRef results = Context.ActorOf(Props.Create(() => new ResultsRelay(coordinator, node.PathOf(coordinator))), "results");
        await queues.Results.ConsumeAsync(results, prefetch: 16);
        string nodeName = node.Settings.NodeName;
        _ = completion.Task.ContinueWith(t => self.Tell(new Completed(t.IsCompletedSuccessfully
            ? new RunEnded(t.Result.StepsCompleted, t.Result.CheckpointDir, t.Result.Cancelled, "", nodeName)
            : new RunEnded(0, "", false, t.Exception?.GetBaseException().Message ?? "the run failed", nodeName))), TaskScheduler.Default);
        Context.Log.LogInformation("node {Node} starts the run's coordinator", nodeName);
        coordinator.Tell(new Coordinator.Begin());
    }

    private void OnObserved(Observed observed)
    {
        RunProgress? progress = observed.Event switch
        {
            StageStarted s => new RunProgress(s.Stage, 0, s.Steps, 0, new Dictionary<string, double>(), node.Settings.NodeName),
            RlStepCompleted s => new RunProgress("rl", s.Step, s.Steps, s.PolicyVersion, s.Metrics, node.Settings.NodeName),
            _ => null,
        };
        if (progress is null) return;
        foreach (IActorRef client in clients) client.Tell(progress);
    }

    private void OnCompleted(Completed completed)
    {
        ended = completed.Ended;
        if (ended.Error.Length > 0) Context.Log.LogError("the run failed: {Error}", ended.Error);
        else Context.Log.LogInformation("the run ended at step {Step}: {Checkpoint}", ended.StepsCompleted, ended.Checkpoint);
        foreach (IActorRef client in clients) client.Tell(ended);
        if (coordinator is not null) Context.Stop(coordinator);
    }

    protected internal override void PostStop() => queues?.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
