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

    /// <summary>PPO's loss, except for the chosen calls (1-based), whose loss is replaced by <paramref name="replace"/>.</summary>
    private sealed class FailingObjective(Func<CausalLM, Tensor, Tensor> replace, params int[] calls) : IRlObjective
    {
        private readonly PpoObjective ppo = new(new PpoOptions());
        private int call;

        public string Name => "failing";
        public bool NeedsDpoModel => false;
        public bool NeedsDemonstrationRewards => false;
        public bool TrainsCritic => true;
        public TrainingBatch Prepare(long batchId, IReadOnlyList<ScoredRollout> batch) => ppo.Prepare(batchId, batch);

        public ObjectiveLoss Loss(CausalLM policy, IReadOnlyList<TrainingSample> minibatch)
        {
            ObjectiveLoss loss = ppo.Loss(policy, minibatch);
            return calls.Contains(++call) ? loss with { Loss = replace(policy, loss.Loss) } : loss;
        }
    }

    private static (PolicyLearner Learner, TrainingBatch Batch) TwinLearner(int seed)
    {
        TorchRandom.ManualSeed((ulong)seed);
        var learner = new PolicyLearner(new CausalLM(FakeRlTask.TinyConfig, withValueHead: true), lr: 1e-2, weightDecay: 0.1);
        var batch = new TrainingBatch(0, Samples(learner.Policy, ([1, 2], [7, 8], [1f, -1f], null), ([1, 3], [9], [-1f], null), ([2], [5, 5, 6], [0.5f, 0f, 2f], null)),
            new Dictionary<string, double>());
        return (learner, batch);
    }

    private static List<(long Step, float[]? ExpAvg, float[]? ExpAvgSq)> OptimizerState(AdamW adamW)
    {
        var state = new List<(long, float[]?, float[]?)>();
        for (int g = 0; g < adamW.Groups.Count; g++)
        {
            for (int i = 0; i < adamW.Groups[g].Parameters.Count; i++)
            {
                AdamWParamState s = adamW.GetState(g, i);
                state.Add((s.Step, s.ExpAvg?.ToArray<float>(), s.ExpAvgSq?.ToArray<float>()));
                s.ExpAvg?.Dispose();
                s.ExpAvgSq?.Dispose();
            }
        }
        return state;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ANaNLossStopsTheUpdateUndoesItAndNamesTheMinibatch(int failingCall)
    {
        // One successful update first, so that AdamW has moments to be corrupted; then an update of three minibatches
        // whose loss turns NaN in minibatch failingCall (calls 2, 3, 4 of the objective).
        var (learner, batch) = TwinLearner(41);
        using var owner = learner;
        var objective = new FailingObjective((_, loss) => loss * double.NaN, failingCall + 1);
        learner.Train(batch, objective, epochs: 1, miniBatchSize: 3);
        learner.CommitUpdate();
        WeightsSnapshot before = learner.Snapshot();
        var optimizerBefore = OptimizerState(learner.Optimizer);

        var error = Assert.Throws<NonFiniteUpdateException>(() => learner.Train(batch, objective, epochs: 3, miniBatchSize: 3));
        Assert.Contains($"the loss is NaN in minibatch {failingCall} of 3 of the update to policy version 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("the policy stays at version 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("actor_loss", error.Message, StringComparison.Ordinal);

        Assert.Equal(1, learner.Version);
        Assert.False(learner.UpdatePending);
        Assert.Equal(before.Sha256, learner.Snapshot().Sha256);
        var optimizerAfter = OptimizerState(learner.Optimizer);
        Assert.Equal(optimizerBefore.Select(s => s.Step), optimizerAfter.Select(s => s.Step));
        Assert.Equal(optimizerBefore.Select(s => s.ExpAvg), optimizerAfter.Select(s => s.ExpAvg));
        Assert.Equal(optimizerBefore.Select(s => s.ExpAvgSq), optimizerAfter.Select(s => s.ExpAvgSq));

        // Training on goes exactly as if the failed update had never run: a twin that never saw it ends identical.
        var (twin, twinBatch) = TwinLearner(41);
        using var twinOwner = twin;
        var clean = new PpoObjective(new PpoOptions());
        twin.Train(twinBatch, clean, epochs: 1, miniBatchSize: 3);
        twin.Train(twinBatch, clean, epochs: 3, miniBatchSize: 3);
        learner.Train(batch, clean, epochs: 3, miniBatchSize: 3);
        Assert.Equal(twin.Snapshot().Sha256, learner.Snapshot().Sha256);
    }

    [Fact]
    public void AnInfiniteGradientNormBehindAFiniteLossIsRefusedAsWell()
    {
        // √(w − w) at w: the value is 0, its gradient 1 / (2·0) = ∞.
        var (learner, batch) = TwinLearner(42);
        using var owner = learner;
        var objective = new FailingObjective((policy, loss) =>
        {
            Tensor w = policy.Parameters()[0];
            return loss + (w - w.Detach()).Sqrt().Sum();
        }, 2);
        WeightsSnapshot before = learner.Snapshot();
        var error = Assert.Throws<NonFiniteUpdateException>(() => learner.Train(batch, objective, epochs: 2, miniBatchSize: 3));
        Assert.Contains("the gradient norm is ∞", error.Message.Replace("Infinity", "∞", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("minibatch 2 of 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, learner.Version);
        Assert.Equal(before.Sha256, learner.Snapshot().Sha256);
        Assert.All(OptimizerState(learner.Optimizer), s => Assert.True(s.Step == 0 && s.ExpAvg is null && s.ExpAvgSq is null));
    }

    [Fact]
    public void AnUncommittedUpdateCanBeUndoneAndACommittedOneCannot()
    {
        var (learner, batch) = TwinLearner(43);
        using var owner = learner;
        var ppo = new PpoObjective(new PpoOptions());
        WeightsSnapshot initial = learner.Snapshot();
        learner.Train(batch, ppo, epochs: 2, miniBatchSize: 2);
        Assert.True(learner.UpdatePending);
        WeightsSnapshot once = learner.Snapshot();
        Assert.NotEqual(initial.Sha256, once.Sha256);

        // Undone (as a learner restarted after losing the update's result does), then trained again: the same version.
        Assert.True(learner.RollBackUpdate());
        Assert.Equal(0, learner.Version);
        Assert.Equal(initial.Sha256, learner.Snapshot().Sha256);
        learner.Train(batch, ppo, epochs: 2, miniBatchSize: 2);
        Assert.Equal(once, learner.Snapshot());

        learner.CommitUpdate();
        Assert.False(learner.UpdatePending);
        Assert.False(learner.RollBackUpdate());
        Assert.Equal(once, learner.Snapshot());
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
