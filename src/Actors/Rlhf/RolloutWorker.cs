using System.Diagnostics;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Stages;

namespace ActorRL.Actors.Rlhf;

/// <summary>
/// A rollout worker: holds a policy replica, applies published weights by version, and generates completions. A request
/// that needs a newer version than the replica holds waits (stashed) until that version arrives.
/// </summary>
internal sealed class RolloutWorker : RoleActor
{
    private RolloutEngine? engine;
    private long version = -1;

    public RolloutWorker(RoleSetup setup) : base(setup)
    {
        ReceiveAsync<WeightsPublished>(async published =>
        {
            if (published.Weights.Version <= version) return;
            version = await OnCompute(() =>
            {
                Engine.Apply(published.Weights);
                return published.Weights.Version;
            });
            Context.UnstashAll();
        });
        Receive<RolloutRequested>(_ => Context.Stash(), request => request.MinVersion > version);
        Handle<RolloutRequested>(Generate);
    }

    private RolloutEngine Engine => engine ??= new RolloutEngine(
        StageModels.LoadPolicy(Setup.StageDirs["sft"], Settings.Model, withValueHead: true, Device), Task.Tokenizer.Pad, [Task.Tokenizer.Eos]);

    private RolloutsGenerated Generate(RolloutRequested request)
    {
        Setup.Faults.MaybeHang("rollout", request.Step);
        Setup.Faults.Rollout(request.Step);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<Rollout> rollouts = Engine.Generate(request.Prompts, request.Options);
        return new RolloutsGenerated(request.RequestId, rollouts, clock.Elapsed);
    }

    protected override void ReleaseModels() => engine?.Dispose();
}
