using System.Diagnostics;
using ActorRL.Models.Rlhf;

namespace ActorRL.Actors.Rlhf;

/// <summary>
/// The pluggable objective role, chosen by <c>objective.name</c>: turns a scored batch into the learner's batch (token
/// rewards, advantages, spans, calibrated rewards) for the RL objectives, or weighs, filters and replenishes preference
/// pairs for DPO and ROPO.
/// </summary>
internal sealed partial class ObjectiveActor : RoleActor
{
    private IRlObjective? objective;

    public ObjectiveActor(RoleSetup setup, PreferenceRounds rounds) : base(setup)
    {
        this.rounds = rounds;
        Handle<BatchPreparationRequested>(Prepare);
        HandlePreferences();
    }

    private IRlObjective Objective => objective ??= RlObjectives.Create(Settings.Objective, Settings.ObjectiveOptions, Task);

    private BatchPrepared Prepare(BatchPreparationRequested request)
    {
        Setup.Faults.MaybeHang("objective", request.Step);
        var clock = Stopwatch.StartNew();
        TrainingBatch batch = Objective.Prepare(request.RequestId, request.Batch);
        return new BatchPrepared(request.RequestId, batch, clock.Elapsed);
    }

    protected override void ReleaseModels()
    {
    }
}
