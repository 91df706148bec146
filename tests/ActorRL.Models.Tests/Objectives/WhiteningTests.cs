using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

public class WhiteningTests
{
    [Fact]
    public void ThreeValuesWhitenByHand()
    {
        // [1, 2, 3] and a masked 50: μ = 2, biased σ² = 2/3, unbiased σ² = 1.
        using var scope = new DisposeScope();
        var x = Torch.From<double>([1, 2, 3, 50], [1, 4]);
        var mask = Torch.From<long>([1, 1, 1, 0], [1, 4]);
        double biased = 1 / Math.Sqrt(2.0 / 3 + 1e-8), unbiased = 1 / Math.Sqrt(1 + 1e-8);
        AssertNear([-biased, 0, biased, 0], Whitening.Whiten(x, mask).ToArray<double>());
        AssertNear([-unbiased, 0, unbiased, 0], Whitening.Whiten(x, mask, unbiased: true).ToArray<double>());
        AssertNear([-biased, 0, biased], Whitening.Whiten([1.0, 2, 3]));
        AssertNear([-unbiased, 0, unbiased], Whitening.Whiten([1.0, 2, 3], unbiased: true));
    }

    [Fact]
    public void MaskedTokensOfTheWholeBatchGetMeanZeroAndVarianceOne()
    {
        const int rows = 4, width = 6;
        var rng = new Random(5);
        double[] x = Enumerable.Range(0, rows * width).Select(_ => 3 + 5 * rng.NextDouble()).ToArray();
        bool[] m = Enumerable.Range(0, rows * width).Select(i => i % width < 2 + i / width).ToArray();
        using var scope = new DisposeScope();
        float[] w = Whitening.Whiten(Torch.From<double>(x, [rows, width]).To(ScalarType.Float32), Torch.From<bool>(m, [rows, width])).ToArray<float>();
        double[] selected = w.Where((_, i) => m[i]).Select(v => (double)v).ToArray();
        Assert.Equal(2 + 3 + 4 + 5, selected.Length);
        double mean = selected.Average();
        double variance = selected.Sum(v => (v - mean) * (v - mean)) / selected.Length;
        Assert.True(Math.Abs(mean) < 1e-6, $"mean {mean}");
        Assert.True(Math.Abs(variance - 1) < 1e-5, $"variance {variance}");
        Assert.All(w.Where((_, i) => !m[i]), v => Assert.Equal(0f, v));
    }

    private static void AssertNear(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-12, $"[{i}] {actual[i]} != {expected[i]}");
    }
}
