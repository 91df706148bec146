using ActorRL.Models.Inference;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Nn;

public class ScoringTests
{
    [Fact]
    public void LogProbsAndEntropiesOfTheNextTokenByHand()
    {
        // One sequence of 3 tokens over a vocabulary of 3: position 0 predicts token 2, position 1 predicts token 0.
        // Logits at position 0: [0, 0, ln 2] → p = [1/4, 1/4, 1/2]; at position 1: [0, 0, 0] → uniform.
        using var scope = new DisposeScope();
        var logits = Torch.From<float>([0, 0, MathF.Log(2), 0, 0, 0, 9, 9, 9], [1, 3, 3]);
        var ids = Torch.From<long>([1, 2, 0], [1, 3]);
        var scores = Scoring.FromLogits(logits, ids, withEntropies: true);
        float[] logp = scores.LogProbs.ToArray<float>(), entropy = scores.Entropies!.ToArray<float>();
        Assert.Equal(Math.Log(0.5), logp[0], 1e-6);
        Assert.Equal(Math.Log(1.0 / 3), logp[1], 1e-6);
        // H = −Σ p log p: 2·(1/4)·ln 4 + (1/2)·ln 2 = 1.5 ln 2; uniform over 3: ln 3
        Assert.Equal(1.5 * Math.Log(2), entropy[0], 1e-6);
        Assert.Equal(Math.Log(3), entropy[1], 1e-6);
        Assert.Null(Scoring.FromLogits(logits, ids).Entropies);
        Assert.Throws<ArgumentException>(() => Scoring.FromLogits(logits.Narrow(1, 0, 1), ids.Narrow(1, 0, 1)));
    }
}
