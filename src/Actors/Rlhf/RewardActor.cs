using System.Diagnostics;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Stages;

namespace ActorRL.Actors.Rlhf;

/// <summary>The reward role: the task's verifier or the learned reward model, and the demonstrations' cached rewards (RCfD).</summary>
internal sealed class RewardActor : RoleActor
{
    private RewardScorer? scorer;

    public RewardActor(RoleSetup setup) : base(setup) => Handle<RewardsRequested>(Score);

    private RewardScorer Scorer => scorer ??= new RewardScorer(
        Task,
        Setup.StageDirs.TryGetValue("reward_model", out string? dir) ? StageModels.LoadRewardModel(dir, Settings.Model, Device) : null,
        lengthReward: false);

    private RewardsScored Score(RewardsRequested request)
    {
        Setup.Faults.MaybeHang("reward", request.Step);
        Setup.Faults.Reward(request.Step);
        var clock = Stopwatch.StartNew();
        double[][] rewards = Scorer.Score(request.Rollouts);
        List<double[]>? demo = null;
        int scored = 0;
        if (request.WithDemonstrations)
        {
            foreach ((long promptId, double[] known) in request.KnownDemoRewards) Scorer.RememberDemonstrationRewards(promptId, known);
            // What the cache gains here is what was scored here.
            int cached = Scorer.DemoCache.Count;
            demo = [.. request.Rollouts.Select(r => Scorer.DemonstrationRewards(r.PromptId, r.Prompt))];
            scored = Scorer.DemoCache.Count - cached;
        }
        return new RewardsScored(request.RequestId, rewards, demo, clock.Elapsed, scored);
    }

    protected override void ReleaseModels() => scorer?.Dispose();
}
