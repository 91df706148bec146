using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

public class GaeTests
{
    private static readonly double[] Rewards = [0, 0, 1];
    private static readonly double[] Values = [0.5, 0.4, 0.6];

    [Fact]
    public void ThreeTokensWithGammaOneAndLambdaPoint95MatchTheHandComputation()
    {
        // γ = 1, λ = 0.95, V after the last token = 0:
        // δ_2 = 1 + 0 − 0.6 = 0.4;  δ_1 = 0 + 0.6 − 0.4 = 0.2;  δ_0 = 0 + 0.4 − 0.5 = −0.1
        // A_2 = 0.4;  A_1 = 0.2 + 0.95·0.4 = 0.58;  A_0 = −0.1 + 0.95·0.58 = 0.451
        // G = A + V = [0.951, 0.98, 1.0]
        var (a, g) = Gae.Compute(Rewards, Values, gamma: 1, lambda: 0.95);
        AssertNear([0.451, 0.58, 0.4], a);
        AssertNear([0.951, 0.98, 1.0], g);
    }

    [Fact]
    public void ThreeTokensWithDiscountMatchTheHandComputation()
    {
        // γ = 0.9, λ = 0.8 (γλ = 0.72), r = [0.1, −0.2, 1]:
        // δ_2 = 1 − 0.6 = 0.4;  δ_1 = −0.2 + 0.9·0.6 − 0.4 = −0.06;  δ_0 = 0.1 + 0.9·0.4 − 0.5 = −0.04
        // A_2 = 0.4;  A_1 = −0.06 + 0.72·0.4 = 0.228;  A_0 = −0.04 + 0.72·0.228 = 0.12416
        // G = [0.62416, 0.628, 1.0]
        var (a, g) = Gae.Compute([0.1, -0.2, 1.0], Values, gamma: 0.9, lambda: 0.8);
        AssertNear([0.12416, 0.228, 0.4], a);
        AssertNear([0.62416, 0.628, 1.0], g);
    }

    [Fact]
    public void WithGammaAndLambdaOneTheReturnsAreTheRewardsToGo()
    {
        double[] r = [0.3, -0.1, 0.2, 2.0];
        var (a, g) = Gae.Compute(r, [5, -3, 0.7, 1.1], gamma: 1, lambda: 1);
        AssertNear([2.4, 2.1, 2.2, 2.0], g);
        AssertNear([2.4 - 5, 2.1 + 3, 2.2 - 0.7, 2.0 - 1.1], a);
    }

    [Fact]
    public void WithLambdaZeroTheAdvantageIsTheOneStepTdError()
    {
        var (a, _) = Gae.Compute(Rewards, Values, gamma: 0.9, lambda: 0);
        AssertNear([0 + 0.9 * 0.4 - 0.5, 0 + 0.9 * 0.6 - 0.4, 1 - 0.6], a);
    }

    [Fact]
    public void BatchedRowIgnoresEverythingAfterItsLastResponseToken()
    {
        // Row 0 is the hand example followed by a padding position holding a large value and reward: the value after
        // the last real token must still be 0 and the padding must get 0.
        using var scope = new DisposeScope();
        var rewards = Torch.From<double>([0, 0, 1, 5, 0, 0, 1, 0], [2, 4]);
        var values = Torch.From<double>([0.5, 0.4, 0.6, 100, 0.5, 0.4, 0.6, 0], [2, 4]);
        var mask = Torch.From<long>([1, 1, 1, 0, 1, 1, 1, 1], [2, 4]);
        var (a, g) = Gae.Compute(rewards, values, mask, gamma: 1, lambda: 0.95);
        double[] adv = a.ToArray<double>(), ret = g.ToArray<double>();
        AssertNear([0.451, 0.58, 0.4, 0], adv[..4]);
        AssertNear([0.951, 0.98, 1.0, 0], ret[..4]);
        // Row 1 has a fourth real token with r = 0, V = 0: δ_3 = 0, δ_2 = 1 − 0.6 = 0.4, the rest as before.
        AssertNear([0.451, 0.58, 0.4, 0], adv[4..]);
        AssertNear([0.951, 0.98, 1.0, 0], ret[4..]);
    }

    [Fact]
    public void BatchedEqualsPerSequenceOverEachRowsResponseTokens()
    {
        const int rows = 5, width = 7;
        var rng = new Random(3);
        double[] r = Enumerable.Range(0, rows * width).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        double[] v = Enumerable.Range(0, rows * width).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        bool[] m =
        [
            true, true, true, true, true, true, true,
            true, true, true, false, false, false, false,
            false, false, true, true, true, true, false,   // prompt positions first
            true, true, false, true, true, false, false,   // a masked position inside the response
            false, false, false, false, false, false, false, // no response tokens
        ];
        using var scope = new DisposeScope();
        var (a, g) = Gae.Compute(Torch.From<double>(r, [rows, width]).To(ScalarType.Float32), Torch.From<double>(v, [rows, width]).To(ScalarType.Float32),
            Torch.From<bool>(m, [rows, width]), gamma: 0.97, lambda: 0.9);
        Assert.Equal(ScalarType.Float32, a.DType);
        float[] adv = a.ToArray<float>(), ret = g.ToArray<float>();
        for (int b = 0; b < rows; b++)
        {
            int[] idx = Enumerable.Range(b * width, width).Where(i => m[i]).ToArray();
            // The inputs went through float32 too.
            var (expectedA, expectedG) = Gae.Compute(idx.Select(i => (double)(float)r[i]).ToArray(), idx.Select(i => (double)(float)v[i]).ToArray(), 0.97, 0.9);
            for (int k = 0; k < idx.Length; k++)
            {
                Assert.Equal(expectedA[k], adv[idx[k]], 5);
                Assert.Equal(expectedG[k], ret[idx[k]], 5);
            }
            for (int i = b * width; i < (b + 1) * width; i++)
            {
                if (!m[i]) Assert.Equal((0f, 0f), (adv[i], ret[i]));
            }
        }
    }

    [Fact]
    public void BatchedResultCarriesNoGradient()
    {
        using var scope = new DisposeScope();
        var values = Torch.From<double>([0.5, 0.4, 0.6], [1, 3], requiresGrad: true);
        var (a, g) = Gae.Compute(Torch.From<double>([0, 0, 1], [1, 3]), values, Torch.Ones([1, 3]), 1, 0.95);
        Assert.False(a.RequiresGrad);
        Assert.False(g.RequiresGrad);
        AssertNear([0.451, 0.58, 0.4], a.ToArray<double>());
    }

    [Fact]
    public void MismatchedLengthsAndFactorsOutsideTheUnitIntervalAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Gae.Compute([1.0, 2.0], [1.0], 1, 0.95));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gae.Compute(Rewards, Values, 1.1, 0.95));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gae.Compute(Rewards, Values, 1, -0.1));
    }

    private static void AssertNear(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-12, $"[{i}] {actual[i]} != {expected[i]}");
    }
}
