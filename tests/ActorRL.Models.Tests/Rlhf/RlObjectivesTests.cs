using ActorRL.Models.Inference;
using ActorRL.Models.Objectives;
using ActorRL.Models.Rlhf;

namespace ActorRL.Models.Tests.Rlhf;

public class RlObjectivesTests
{
    private static ScoredRollout Scored(long id, int[] response, float[] old, float[] reference, float[] values, double reward,
        float[]? dpo = null, double? demoReward = null) =>
        new(new Rollout(id, id, [1, 2], response, old, values, 0, FinishReason.Stop), reference, dpo, [reward], demoReward is double d ? [d] : null);

    [Fact]
    public void PpoAdvantagesAreGaeOfTheKlPenalizedRewardsWhitenedOverTheBatch()
    {
        // β = 0.1, k1, γ = 1, λ = 0.5.
        // Sample 0: k1 = [0.5, 0] → r = [−0.05, 1]; δ1 = 1 − 0.25 = 0.75, A1 = 0.75; δ0 = −0.05 + 0.25 − 0.5 = −0.3,
        //           A0 = −0.3 + 0.5·0.75 = 0.075; G = A + V = [0.575, 1].
        // Sample 1: r = [−1]; δ = −1 − 0.1 = −1.1 = A; G = −1.
        // Whitened over [0.075, 0.75, −1.1] (biased variance, ε = 1e-8): by hand in Python.
        var objective = new PpoObjective(new PpoOptions { KlCoefficient = 0.1, Lambda = 0.5 });
        TrainingBatch batch = objective.Prepare(7, [
            Scored(0, [10, 11], [-1, -2], [-1.5f, -2], [0.5f, 0.25f], 1),
            Scored(1, [12], [-0.5f], [-0.5f], [0.1f], -1),
        ]);
        Assert.Equal(7, batch.BatchId);
        Assert.Equal(0.21803626712340976, batch.Samples[0].Advantages[0], 1e-6);
        Assert.Equal(1.101083148973219, batch.Samples[0].Advantages[1], 1e-6);
        Assert.Equal(-1.3191194160966286, batch.Samples[1].Advantages[0], 1e-6);
        Assert.Equal([0.575f, 1f], batch.Samples[0].Returns, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(-1.0, batch.Samples[1].Returns[0], 1e-6);
        Assert.Equal(0.0, batch.Metrics["reward_mean"], 1e-12);
        Assert.Equal(1.0, batch.Metrics["reward_std"], 1e-12);
        Assert.Equal(0.25, batch.Metrics["kl"], 1e-6); // (0.5 + 0) and 0, averaged over samples
        Assert.Equal(1.5, batch.Metrics["response_length"], 1e-12);
    }

    [Fact]
    public void RtoRewardsComeFromTheDpoModelAndTheSequenceReward()
    {
        // β1 = 0.05, c = 0.05, β2 = 0.01; one token: clip(0.05·(−1 − (−3)), ±0.05) = 0.05; −0.01·(−2 − (−3)) = −0.01;
        // + clamp(20, ±10) = 10 → r = 10.04. No whitening, V = 0.5: A = r − V = 9.54, G = 10.04.
        var options = new RtoOptions { Ppo = new PpoOptions { KlCoefficient = 0, WhitenAdvantages = false }, NormalizeSequenceReward = false };
        TrainingBatch batch = new RtoObjective(options).Prepare(0, [Scored(0, [10], [-2], [-3], [0.5f], 20, dpo: [-1])]);
        Assert.Equal(9.54, batch.Samples[0].Advantages[0], 1e-5);
        Assert.Equal(10.04, batch.Samples[0].Returns[0], 1e-5);
        Assert.Throws<ArgumentException>(() => new RtoObjective(options).Prepare(0, [Scored(0, [10], [-2], [-3], [0.5f], 20)]));
    }

    [Fact]
    public void RtoNormalizesTheSequenceRewardOverTheBatchByDefault()
    {
        // R = [1, 0, 0, 1] → mean 0.5, std 0.5 → [1, −1, −1, 1] (to 1e-8). Token rewards 0 (dpo = ref = old), V = 0, one
        // token per response, no advantage whitening: A = the normalized R.
        var options = new RtoOptions { Ppo = new PpoOptions { KlCoefficient = 0, WhitenAdvantages = false } };
        float[] zero = [0];
        TrainingBatch batch = new RtoObjective(options).Prepare(0, [
            Scored(0, [10], zero, zero, zero, 1, dpo: zero), Scored(1, [10], zero, zero, zero, 0, dpo: zero),
            Scored(2, [10], zero, zero, zero, 0, dpo: zero), Scored(3, [10], zero, zero, zero, 1, dpo: zero),
        ]);
        Assert.Equal([1.0, -1, -1, 1], batch.Samples.Select(s => (double)s.Advantages[0]).ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(0.5, batch.Metrics["reward_mean"], 1e-12); // the raw reward is what the metrics report
    }

    [Fact]
    public void DrtoSplitsEachResponseAtTheTasksBoundariesAndEveryLTokens()
    {
        // Boundary 10 closes its span; L = 3 cuts [6, 7, 8]; ids are local to each sample.
        var task = new FakeRlTask { StepBoundaryTokens = new HashSet<int> { 10 } };
        IRlObjective drto = RlObjectives.Create("drto", new DrtoOptions { MaxSpanLength = 3 }, task);
        int[] response = [5, 10, 6, 7, 8, 9, 10, 11];
        float[] zeros = new float[response.Length];
        TrainingBatch batch = drto.Prepare(0, [
            Scored(0, response, zeros, zeros, zeros, 1, dpo: zeros),
            Scored(1, [10, 4], [0, 0], [0, 0], [0, 0], 0, dpo: [0, 0]),
        ]);
        Assert.Equal([0, 0, 1, 1, 1, 2, 2, 3], batch.Samples[0].SpanIds!);
        Assert.Equal([0, 1], batch.Samples[1].SpanIds!);
    }

    [Fact]
    public void RcfdRewardIsTheWhitenedNegativeSquaredGapToTheDemonstration()
    {
        // −(R − R_d)² = [−1, 0, −4], whitened over the batch by hand in Python; β = 0, V = 0, one token, no
        // advantage whitening: A = the calibrated reward.
        var options = new RcfdOptions { Ppo = new PpoOptions { KlCoefficient = 0, ClipEpsilon = 0.3, WhitenAdvantages = false } };
        var objective = RlObjectives.Create("rcfd", options, new FakeRlTask());
        TrainingBatch batch = objective.Prepare(0, [
            Scored(0, [10], [-1], [-2], [0], 1, demoReward: 2),
            Scored(1, [10], [-1], [-2], [0], 2, demoReward: 2),
            Scored(2, [10], [-1], [-2], [0], 4, demoReward: 2),
        ]);
        double[] expected = [0.39223226959750457, 0.9805806739937614, -1.3728129435912657];
        for (int b = 0; b < 3; b++) Assert.Equal(expected[b], batch.Samples[b].Advantages[0], 1e-6);
        Assert.Equal(-5.0 / 3, batch.Metrics["rcfd_calibrated_mean"], 1e-12);
        Assert.True(batch.Metrics["rcfd_alignment"] > 0);
        Assert.True(objective.NeedsDemonstrationRewards);
    }

    [Fact]
    public void RcfdLengthRewardIsCalibratedAgainstTheDemonstrationsLength()
    {
        // Reward models: R (equal to the demonstration's, a term of 0 for all) and −|y| against −|y_d| = −2, summed
        // raw: −(|y| − 2)² = [−1, 0, −1] for |y| = 1, 2, 3, on the last token; V = 0 and β = 0, so G_T is that reward.
        var task = new FakeRlTask { Demonstrations = { [0] = [7, 8], [1] = [7, 8], [2] = [7, 8] } };
        var options = new RcfdOptions { LengthReward = true, WhitenPerModel = false, Ppo = new PpoOptions { KlCoefficient = 0, WhitenAdvantages = false } };
        var objective = RlObjectives.Create("rcfd", options, task);
        TrainingBatch batch = objective.Prepare(0, [
            Scored(0, [10], [0], [0], [0], 1, demoReward: 1),
            Scored(1, [10, 11], [0, 0], [0, 0], [0, 0], 1, demoReward: 1),
            Scored(2, [10, 11, 12], [0, 0, 0], [0, 0, 0], [0, 0, 0], 1, demoReward: 1),
        ]);
        Assert.Equal(-1.0, batch.Samples[0].Returns[^1], 1e-6);
        Assert.Equal(0.0, batch.Samples[1].Returns[^1], 1e-6);
        Assert.Equal(-1.0, batch.Samples[2].Returns[^1], 1e-6);
    }

    [Fact]
    public void TheRegistryKnowsTheRlObjectivesAndRefusesOthers()
    {
        var task = new FakeRlTask();
        Assert.Equal(["ppo", "rto", "drto", "rcfd"], RlObjectives.Names);
        foreach (string name in RlObjectives.Names)
        {
            IRlObjective objective = RlObjectives.Create(name, ObjectiveRegistry.Defaults(name), task);
            Assert.Equal(name, objective.Name);
            Assert.True(objective.TrainsCritic);
            Assert.Equal(name is "rto" or "drto", objective.NeedsDpoModel);
        }
        foreach (string name in (string[])["dpo", "ropo", "sft"])
        {
            var e = Assert.Throws<ArgumentException>(() => RlObjectives.Create(name, new PpoOptions(), task));
            Assert.Contains("ppo, rto, drto, rcfd", e.Message);
        }
        Assert.Throws<ArgumentException>(() => RlObjectives.Create("rto", new PpoOptions(), task));
    }

    [Fact]
    public void PrepareRefusesRolloutsWithoutValues()
    {
        var e = Assert.Throws<ArgumentException>(() => new PpoObjective(new PpoOptions()).Prepare(0, [Scored(3, [10], [-1], [-1], [], 1)]));
        Assert.Contains("value head", e.Message);
    }
}
