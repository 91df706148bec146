using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Tensors;
using ActorRL.Models.Tests.Checkpoints;

namespace ActorRL.Models.Tests.Rlhf;

public class LearnerTests
{
    /// <summary>Samples whose old log-probabilities and values are the policy's own (ratio 1), returns = values.</summary>
    private static TrainingSample[] Samples(CausalLM policy, params (int[] Prompt, int[] Response, float[] Advantages, int[]? Spans)[] rows) =>
        [.. rows.Select((r, i) =>
        {
            var (logp, values) = RolloutEngineTests.ByHand(policy, r.Prompt, r.Response);
            return new TrainingSample(i, r.Prompt, r.Response, logp, values, r.Advantages, values, logp, r.Spans);
        })];

    private static TrainingSample[] TwoSamples(CausalLM policy) => Samples(policy,
        ([1, 2, 3], [4, 5], [1f, 3f], [0, 1]),
        ([1], [6, 7, 8], [-2f, 0f, 0.5f], [0, 0, 1]));

    [Fact]
    public void AtRatioOneThePpoActorLossIsMinusTheMeanAdvantage()
    {
        TorchRandom.ManualSeed(31);
        using var policy = new CausalLM(FakeRlTask.TinyConfig, withValueHead: true);
        using var scope = new DisposeScope();
        ObjectiveLoss loss = new PpoObjective(new PpoOptions()).Loss(policy, TwoSamples(policy));
        // Sequence means 2 and −0.5, their mean 0.75.
        Assert.Equal(-0.75, loss.Metrics["actor_loss"], 1e-4);
        Assert.Equal(0.0, loss.Metrics["clip_fraction"]);
        Assert.Equal(0.0, loss.Metrics["approx_kl"], 1e-6);
        Assert.Equal(0.0, loss.Metrics["value_loss"], 1e-8);
        Assert.InRange(loss.Metrics["entropy"], 5.0, Math.Log(260) + 1e-6); // near uniform over 260 tokens at initialization
        Assert.Equal(-0.75, loss.Loss.ToDouble(), 1e-4);
        Assert.Equal(loss.Metrics["loss"], loss.Loss.ToDouble(), 1e-9);
    }

    [Fact]
    public void AtRatioOneTheDrtoLossWeighsTheMinibatchsSpansWithTheWorstCaseDistribution()
    {
        TorchRandom.ManualSeed(32);
        using var policy = new CausalLM(FakeRlTask.TinyConfig, withValueHead: true);
        using var scope = new DisposeScope();
        var options = new DrtoOptions { Set = DroSet.Kl, Radius = 0.1 };
        ObjectiveLoss loss = new DrtoObjective(options).Loss(policy, TwoSamples(policy));
        // ℓ_t = −A_t; spans [4] [5] | [6, 7] [8] → ℓ_k = [−1, −3, 1, −0.5], numbered across both samples.
        DroSolution expected = DroWeights.Solve([-1, -3, 1, -0.5], DroSet.Kl, 0.1);
        Assert.Equal(expected.WorstCaseValue, loss.Metrics["actor_loss"], 1e-4);
        Assert.Equal(4, loss.Metrics["drto_spans"]);
        Assert.Equal(expected.Temperature, loss.Metrics["drto_temperature"], 1e-3);
        Assert.Equal(expected.EffectiveSampleSize, loss.Metrics["drto_ess"], 1e-3);
        Assert.Equal(expected.MaxWeight, loss.Metrics["drto_max_weight"], 1e-4);
        Assert.Equal(4.0, loss.Metrics["drto_span_loss_spread"], 1e-4);
        Assert.Equal(0.0, loss.Metrics["clip_fraction"]);
        Assert.True(expected.WorstCaseValue > -0.875); // above the uniform mean of the span losses
    }

    [Fact]
    public void TrainingRaisesTheLogProbOfTheResponseWithPositiveAdvantages()
    {
        TorchRandom.ManualSeed(33);
        using var learner = new PolicyLearner(new CausalLM(FakeRlTask.TinyConfig, withValueHead: true), lr: 1e-2);
        TrainingSample[] samples = Samples(learner.Policy, ([1, 2], [7, 8], [1f, 1f], null), ([1, 3], [9], [-1f], null));
        double Sum(TrainingSample s) => RolloutEngineTests.ByHand(learner.Policy, s.Prompt, s.Response).LogProbs.Sum(x => (double)x);
        double[] before = [.. samples.Select(Sum)];

        IReadOnlyDictionary<string, double> metrics;
        using (var outer = new DisposeScope())
        {
            metrics = learner.Train(new TrainingBatch(0, samples, new Dictionary<string, double>()), new PpoObjective(new PpoOptions()), epochs: 2, miniBatchSize: 1);
            Assert.Equal(0, outer.Count); // every tensor of the step was freed inside it
        }
        Assert.True(Sum(samples[0]) > before[0] + 1e-3, $"{Sum(samples[0])} vs {before[0]}");
        Assert.True(Sum(samples[1]) < before[1] - 1e-3, $"{Sum(samples[1])} vs {before[1]}");
        Assert.Equal(1, learner.Version);
        Assert.Equal(4, metrics["steps"]);
        Assert.Equal(3, metrics["tokens"]);
        Assert.True(metrics["grad_norm"] > 0);
        Assert.Equal(1, learner.Snapshot().Version);
    }

    [Fact]
    public void ACheckpointRestoresVersionStepWeightsAndOptimizer()
    {
        using var root = new TemporaryDirectory();
        TorchRandom.ManualSeed(34);
        using var learner = new PolicyLearner(new CausalLM(FakeRlTask.TinyConfig, withValueHead: true), lr: 1e-2, weightDecay: 0.1);
        var objective = new PpoObjective(new PpoOptions());
        TrainingBatch Batch() => new(0, Samples(learner.Policy, ([1, 2], [7, 8], [1f, -1f], null), ([1, 3], [9], [-1f], null)), new Dictionary<string, double>());
        learner.Train(Batch(), objective, epochs: 1, miniBatchSize: 2);
        learner.Train(Batch(), objective, epochs: 1, miniBatchSize: 2);
        learner.SaveCheckpoint(root.Combine("step-3"), step: 3, new Dictionary<string, string> { ["run"] = "a" });

        TorchRandom.ManualSeed(99);
        using var resumed = PolicyLearner.Resume(root.Combine("step-3"), new CausalLM(FakeRlTask.TinyConfig, withValueHead: true), lr: 1e-2, weightDecay: 0.1);
        Assert.Equal(2, resumed.Version);
        Assert.Equal(3, resumed.Step);
        Assert.Equal(learner.Snapshot(), resumed.Snapshot());

        // The optimizer's moments came back too: one more identical step keeps the two identical.
        TrainingBatch next = Batch();
        learner.Train(next, objective, epochs: 1, miniBatchSize: 2);
        resumed.Train(next, objective, epochs: 1, miniBatchSize: 2);
        Assert.Equal(learner.Snapshot().Sha256, resumed.Snapshot().Sha256);
        Assert.Equal("a", resumed.LoadCheckpoint(root.Combine("step-3")).Extra["run"]);
        Assert.Equal(2, resumed.Version);
    }

    [Fact]
    public void AnEmptyResponseKeepsItsRewardButTrainsNoToken()
    {
        // Prepare: the empty response has no advantages and does not enter the whitening statistics.
        var objective = new PpoObjective(new PpoOptions { KlCoefficient = 0, Lambda = 1 });
        TrainingBatch batch = objective.Prepare(0, [
            new ScoredRollout(new Rollout(0, 0, [1], [], [], [], 0, Inference.FinishReason.Length), [], null, [5.0], null),
            new ScoredRollout(new Rollout(1, 0, [1], [4], [-1], [0], 0, Inference.FinishReason.Stop), [-1], null, [1.0], null),
            new ScoredRollout(new Rollout(2, 0, [1], [4], [-1], [0], 0, Inference.FinishReason.Stop), [-1], null, [3.0], null),
        ]);
        Assert.Empty(batch.Samples[0].Advantages);
        Assert.Equal(-1.0, batch.Samples[1].Advantages[0], 1e-6); // [1, 3] whitened
        Assert.Equal(1.0, batch.Samples[2].Advantages[0], 1e-6);
        Assert.Equal(3.0, batch.Metrics["reward_mean"], 1e-12);

        TorchRandom.ManualSeed(35);
        using var policy = new CausalLM(FakeRlTask.TinyConfig, withValueHead: true);
        using var scope = new DisposeScope();
        TrainingSample[] samples = Samples(policy, ([1, 2], [], [], []), ([1], [6], [2f], [0]));
        // The empty sequence counts for neither the mean nor its denominator.
        Assert.Equal(-2.0, new PpoObjective(new PpoOptions()).Loss(policy, samples).Metrics["actor_loss"], 1e-4);
        Assert.Equal(-2.0, new DrtoObjective(new DrtoOptions()).Loss(policy, samples).Metrics["actor_loss"], 1e-4);
        ObjectiveLoss none = new PpoObjective(new PpoOptions()).Loss(policy, [samples[0]]);
        Assert.Equal(0.0, none.Loss.ToDouble());
    }
}
