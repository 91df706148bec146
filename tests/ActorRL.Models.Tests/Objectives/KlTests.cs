using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

public class KlTests
{
    [Theory]
    // log π_old = −1, log π_ref = −1.5: k1 = 0.5, k2 = 0.125, k3 = e^−0.5 − 1 + 0.5 = 0.10653065971263342
    [InlineData(-1.0, -1.5, KlEstimator.K1, 0.5)]
    [InlineData(-1.0, -1.5, KlEstimator.K2, 0.125)]
    [InlineData(-1.0, -1.5, KlEstimator.K3, 0.10653065971263342)]
    // log π_old = −2, log π_ref = −1: k1 = −1 (k1 can be negative), k2 = 0.5, k3 = e − 1 − 1 = 0.7182818284590451
    [InlineData(-2.0, -1.0, KlEstimator.K1, -1.0)]
    [InlineData(-2.0, -1.0, KlEstimator.K2, 0.5)]
    [InlineData(-2.0, -1.0, KlEstimator.K3, 0.7182818284590451)]
    // Equal log-probabilities: every estimator is 0.
    [InlineData(-0.7, -0.7, KlEstimator.K3, 0.0)]
    public void EstimatorsMatchTheHandValues(double old, double reference, KlEstimator estimator, double expected)
    {
        Assert.Equal(expected, Kl.Estimate(old, reference, estimator), 14);
        using var scope = new DisposeScope();
        Assert.Equal(expected, Kl.Estimate(Torch.From<double>([old]), Torch.From<double>([reference]), estimator).ToArray<double>()[0], 14);
    }

    [Fact]
    public void PenalizedRewardIsMinusBetaKPlusTheSequenceRewardOnTheLastResponseToken()
    {
        // β = 0.1, k1 = old − ref = [0.5, −1, 0]; R = 2 on the last token: r = [−0.05, 0.1, 0 + 2].
        double[] expected = [-0.05, 0.1, 2.0];
        double[] span = KlPenalizedReward.Compute([-1, -2, -0.5], [-1.5, -1, -0.5], 2.0, 0.1, KlEstimator.K1);
        Assert.Equal(expected.Length, span.Length);
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], span[i], 14);

        // Batched: row 0 is the example above padded by one position (nonzero k on the padding must not leak); row 1
        // starts with a prompt position and has k2 = ½(0.4)² = 0.08 on its two tokens, R = −1; row 2 has no response.
        using var scope = new DisposeScope();
        var old = Torch.From<double>([-1, -2, -0.5, -3, /**/ -9, -0.6, -1.0, -5, /**/ -1, -1, -1, -1], [3, 4]);
        var reference = Torch.From<double>([-1.5, -1, -0.5, -0.1, /**/ -1, -1.0, -0.6, -5, /**/ -2, -2, -2, -2], [3, 4]);
        var mask = Torch.From<bool>([true, true, true, false, /**/ false, true, true, false, /**/ false, false, false, false], [3, 4]);
        var reward = Torch.From<double>([2.0, -1.0, 7.0]);
        double[] rk1 = KlPenalizedReward.Compute(old, reference, reward, mask, 0.1, KlEstimator.K1).ToArray<double>();
        double[] expectedK1 = [-0.05, 0.1, 2.0, 0, /**/ 0, -0.1 * 0.4, 0.1 * 0.4 - 1, 0, /**/ 0, 0, 0, 0];
        for (int i = 0; i < expectedK1.Length; i++) Assert.True(Math.Abs(expectedK1[i] - rk1[i]) < 1e-14, $"k1 [{i}] {rk1[i]} != {expectedK1[i]}");

        double[] rk2 = KlPenalizedReward.Compute(old, reference, reward, mask, 0.1, KlEstimator.K2).ToArray<double>();
        Assert.Equal(-0.1 * 0.08, rk2[5], 14);
        Assert.Equal(-0.1 * 0.08 - 1, rk2[6], 14);
        Assert.Equal(0.0, rk2[3]);
    }

    [Fact]
    public void PenalizedRewardCarriesNoGradient()
    {
        using var scope = new DisposeScope();
        var old = Torch.From<double>([-1.0, -2.0], [1, 2], requiresGrad: true);
        var r = KlPenalizedReward.Compute(old, Torch.From<double>([-1.5, -1.0], [1, 2]), Torch.From<double>([1.0]), Torch.Ones([1, 2]), 0.1, KlEstimator.K3);
        Assert.False(r.RequiresGrad);
    }
}
