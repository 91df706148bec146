using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Rlhf;

public class ScorerTests
{
    private static Rollout Rollout(long promptId, int[] prompt, int[] response) =>
        new(promptId, promptId, prompt, response, new float[response.Length], [], 0, FinishReason.Length);

    [Fact]
    public void ReferenceLogProbsEqualScoringEachSequenceAlone()
    {
        TorchRandom.ManualSeed(21);
        var reference = new CausalLM(FakeRlTask.TinyConfig);
        var dpo = new CausalLM(FakeRlTask.TinyConfig);
        using var scorer = new ReferenceScorer(reference, dpo);
        Rollout[] rollouts = [Rollout(0, [1, 2, 3], [4, 5]), Rollout(1, [1], [6, 7, 8, 9]), Rollout(2, [1, 2], [])];
        var scores = scorer.Score(rollouts);
        for (int i = 0; i < rollouts.Length; i++)
        {
            var expectedRef = RolloutEngineTests.ByHand(reference, rollouts[i].Prompt, rollouts[i].Response).LogProbs;
            var expectedDpo = RolloutEngineTests.ByHand(dpo, rollouts[i].Prompt, rollouts[i].Response).LogProbs;
            Assert.Equal(expectedRef, scores[i].Ref, (a, b) => Math.Abs(a - b) < 1e-5);
            Assert.Equal(expectedDpo, scores[i].Dpo!, (a, b) => Math.Abs(a - b) < 1e-5);
        }
        double[] sums = scorer.SequenceLogProbs([.. rollouts.Select(r => (r.Prompt, r.Response))], dpo: true);
        for (int i = 0; i < rollouts.Length; i++) Assert.Equal(scores[i].Dpo!.Sum(x => (double)x), sums[i], 1e-4);
        Assert.Equal(0.0, sums[2]);
    }

    [Fact]
    public void TheVerifierScoresWhereItCanAndTheRewardModelElsewhere()
    {
        TorchRandom.ManualSeed(22);
        var task = new FakeRlTask { Verifier = (promptId, response) => promptId == 0 ? response.Length : null };
        var model = new RewardModel(FakeRlTask.TinyConfig);
        using var scorer = new RewardScorer(task, model, lengthReward: true);
        double[][] rewards = scorer.Score([Rollout(0, [1, 2], [4, 5, 6]), Rollout(1, [1, 2, 3], [7]), Rollout(1, [1], [8, 9, 10, 11])]);
        Assert.Equal([3.0, -3.0], rewards[0]);
        using var scope = new DisposeScope();
        using var noGrad = NoGradScope.Enter();
        Assert.Equal(model.Forward(Torch.From<long>([1, 2, 3, 7], [1, 4])).ToDouble(), rewards[1][0], 1e-5);
        Assert.Equal(model.Forward(Torch.From<long>([1, 8, 9, 10, 11], [1, 5])).ToDouble(), rewards[2][0], 1e-5);
        Assert.Equal([-1.0, -4.0], [rewards[1][1], rewards[2][1]]);
        Assert.Equal(rewards[1], scorer.Score(1, [1, 2, 3], [7]), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void DemonstrationRewardsAreComputedOncePerPrompt()
    {
        var task = new FakeRlTask { Demonstrations = { [0] = [5, 6] }, Verifier = (_, response) => 10 * response.Length };
        using var scorer = new RewardScorer(task, model: null);
        Assert.Equal([20.0], scorer.DemonstrationRewards(0, [1, 2]));
        Assert.Equal([20.0], scorer.DemonstrationRewards(0, [1, 2]));
        Assert.Equal(1, task.DemonstrationCalls);
        var e = Assert.Throws<InvalidOperationException>(() => scorer.DemonstrationRewards(9, [1]));
        Assert.Contains("no demonstration for prompt 9", e.Message);
        Assert.Throws<InvalidOperationException>(() => new RewardScorer(new FakeRlTask(), null).Score(0, [1], [2]));
    }
}
