using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf.Tasks;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Rlhf.Tasks;

public class RewardModelScoringTests
{
    [Fact]
    public void BatchedRightPaddedScoresEqualEachSequenceScoredAlone()
    {
        TorchRandom.ManualSeed(17);
        using var model = new RewardModel(new GptConfig(VocabSize: 40, ContextLength: 16, Layers: 2, Heads: 2, Width: 16));
        var rng = new Random(3);
        int[][] sequences = [.. Enumerable.Range(0, 7).Select(i => Enumerable.Range(0, 1 + rng.Next(16)).Select(_ => rng.Next(39)).ToArray())];

        double[] batched = RewardModelScoring.Score(model, sequences, padId: 39, batchSize: 3);

        Assert.True(model.IsTraining); // the mode is restored
        model.Eval();
        for (int i = 0; i < sequences.Length; i++)
        {
            using var scope = new DisposeScope();
            using var noGrad = NoGradScope.Enter();
            float alone = model.Forward(Torch.From<long>([.. sequences[i].Select(t => (long)t)], [1, sequences[i].Length])).ToArray<float>()[0];
            Assert.Equal(alone, batched[i], 5);
        }
    }

    [Fact]
    public void RejectsSequencesLongerThanTheContext()
    {
        using var model = new RewardModel(new GptConfig(VocabSize: 8, ContextLength: 4, Layers: 1, Heads: 1, Width: 8));
        Assert.Throws<ArgumentException>(() => RewardModelScoring.Score(model, [[1, 2, 3, 4, 5]], padId: 0));
        Assert.Empty(RewardModelScoring.Score(model, [], padId: 0));
    }
}
