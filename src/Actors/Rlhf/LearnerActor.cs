using System.Diagnostics;
using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Stages;
using ActorRL.Models.Tensors;

namespace ActorRL.Actors.Rlhf;

/// <summary>
/// What the learner keeps across its restarts: the policy and optimizer, and the last published version. A learner that
/// fails in the middle of an update is restarted with the update undone (weights and AdamW moments as the last
/// published version left them), so that the batch the coordinator re-sends is trained on once, exactly as the first
/// time.
/// </summary>
internal sealed class LearnerState : IDisposable
{
    public PolicyLearner? Learner { get; set; }

    public WeightsSnapshot? Published { get; set; }

    public void Dispose() => Learner?.Dispose();
}

/// <summary>
/// The learner: updates the policy (and its value head) with the objective's loss, then publishes the new version's
/// weights; also scores sequences under the current policy (ROPO) and writes checkpoints.
/// </summary>
internal sealed class LearnerActor : RoleActor
{
    private readonly LearnerState state;
    private IRlObjective? rlObjective;
    private IPreferenceObjective? preferenceObjective;

    public LearnerActor(RoleSetup setup, LearnerState state) : base(setup)
    {
        this.state = state;
        Handle<WeightsRequested>(request => new WeightsReply(request.RequestId, Publish()));
        Handle<TrainingRequested>(Train);
        Handle<PreferenceTrainingRequested>(TrainPreferences);
        Handle<PolicySequenceScoresRequested>(ScoreSequences);
        Handle<CheckpointRequested>(request =>
        {
            Learner.SaveCheckpoint(request.Directory, request.Step, request.State);
            return new CheckpointWritten(request.RequestId, request.Directory);
        });
    }

    protected internal override void PreStart()
    {
        base.PreStart();
        if (state.Learner is { UpdatePending: true } learner)
        {
            // The failed instance stepped an update it never published: go back to what the rollout workers hold.
            _ = OnCompute(learner.RollBackUpdate);
        }
    }

    // A resumed run continues from its checkpoint's weights, optimizer moments, random generators and version. A new one
    // seeds libtorch's generator first: the value head starts from random weights, which must not depend on what the
    // process ran before (stages trained here or reused from an earlier run).
    private PolicyLearner Learner => state.Learner ??= CreateLearner();

    private PolicyLearner CreateLearner()
    {
        TorchRandom.ManualSeed((ulong)Settings.Seed);
        CausalLM policy = StageModels.LoadPolicy(Setup.StageDirs["sft"], Settings.Model, withValueHead: true, Device);
        return Setup.ResumeFrom is { } resume ? PolicyLearner.Resume(resume, policy, Settings.Lr) : new PolicyLearner(policy, Settings.Lr);
    }

    private IRlObjective RlObjective => rlObjective ??= RlObjectives.Create(Settings.Objective, Settings.ObjectiveOptions, Task);

    private IPreferenceObjective PreferenceObjective => preferenceObjective ??= PreferenceObjectives.Create(Settings.Objective, Settings.ObjectiveOptions);

    private WeightsSnapshot Publish() => state.Published is { } p && p.Version == Learner.Version ? p : state.Published = Learner.Snapshot();

    private PolicyUpdated Train(TrainingRequested request)
    {
        Setup.Faults.MaybeHang("learner", request.Step);
        Setup.Faults.Learner(request.Step);
        var clock = Stopwatch.StartNew();
        Learner.AfterOptimizerStep = i =>
        {
            if (i == 0) Setup.Faults.LearnerMidUpdate(request.Step);
        };
        IReadOnlyDictionary<string, double> metrics = Learner.Train(request.Batch, RlObjective, Settings.UpdateEpochs, request.Batch.Samples.Count);
        return Finish(request.RequestId, metrics, clock);
    }

    private PolicyUpdated TrainPreferences(PreferenceTrainingRequested request)
    {
        Setup.Faults.MaybeHang("learner", request.Step);
        Setup.Faults.Learner(request.Step);
        var clock = Stopwatch.StartNew();
        IReadOnlyDictionary<string, double> metrics = Learner.TrainPreferences(request.Pairs, PreferenceObjective, Task.Tokenizer.Pad);
        return Finish(request.RequestId, metrics, clock);
    }

    private PolicyUpdated Finish(long requestId, IReadOnlyDictionary<string, double> metrics, Stopwatch clock)
    {
        TimeSpan update = clock.Elapsed;
        WeightsSnapshot weights = Learner.Snapshot();
        state.Published = weights;
        Learner.CommitUpdate();
        return new PolicyUpdated(requestId, weights, metrics, update, clock.Elapsed - update);
    }

    private SequencesScored ScoreSequences(PolicySequenceScoresRequested request)
    {
        var clock = Stopwatch.StartNew();
        using var noGrad = NoGradScope.Enter();
        using var scope = new DisposeScope();
        Tensor sums = SequenceLogProbs.Compute(Learner.Policy, [.. request.Items.Select(i => (i.Prompt, i.Response))], Task.Tokenizer.Pad);
        double[] values = sums.To(ScalarType.Float64).ToArray<double>();
        return new SequencesScored(request.RequestId, values, clock.Elapsed);
    }

    // The policy outlives restarts in LearnerState; it is freed when the run ends.
    protected override void ReleaseModels()
    {
    }
}
