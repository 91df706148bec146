using ActorRL.Models.Objectives;

namespace ActorRL.Models.Tests.Objectives;

public class RcfdMetricsTests
{
    [Fact]
    public void AlignmentOfIdenticalSamplesIsZero()
    {
        var rng = new Random(3);
        double[] sample = [.. Enumerable.Range(0, 200).Select(_ => rng.NextDouble() * 4 - 2)];
        double[] shuffled = [.. sample.OrderBy(_ => rng.Next())];

        Assert.Equal(0, Rcfd.Alignment(sample, sample, 20));
        Assert.Equal(0, Rcfd.Alignment(sample, shuffled, 20));
        // All values equal: one bin holds everything on both sides.
        Assert.Equal(0, Rcfd.Alignment([1.0, 1.0], [1.0, 1.0, 1.0], 5));
    }

    [Fact]
    public void AlignmentByHandOnTwoBins()
    {
        // Shared range [0, 1], bins [0, 0.5) and [0.5, 1]: p_demo = (1/2, 1/2), p_policy = (1/4, 3/4);
        // KL = ½ log(½ / ¼) + ½ log(½ / ¾) = ½ log 2 + ½ log(2/3) = ½ log(4/3) = 0.14384103622589042.
        double[] demo = [0, 0, 1, 1], policy = [0, 1, 1, 1];

        Assert.Equal(0.14384103622589042, Rcfd.Alignment(demo, policy, 2, smoothing: 0), 15);
        // The default smoothing (1e−6 per bin) moves it by about 1e−6.
        Assert.Equal(0.14384103622589042, Rcfd.Alignment(demo, policy, 2), 1e-5);
        Assert.True(Rcfd.Alignment(policy, demo, 2) > 0);
    }

    [Fact]
    public void AlignmentOfAnEmptyPolicyBinIsFiniteOnlyWithSmoothing()
    {
        // Demo (0, 1) fills both bins; the policy (0, 0) only the first.
        double[] demo = [0, 1], policy = [0, 0];
        Assert.Equal(double.PositiveInfinity, Rcfd.Alignment(demo, policy, 2, smoothing: 0));

        // Smoothed, p = (h + ε) / (1 + 2ε): p_demo = ((½ + ε), (½ + ε)) / (1 + 2ε), p_policy = ((1 + ε), ε) / (1 + 2ε);
        // KL = (½ + ε)/(1 + 2ε) · [log((½ + ε)/(1 + ε)) + log((½ + ε)/ε)].
        const double eps = 1e-6;
        double expected = (0.5 + eps) / (1 + 2 * eps) * (Math.Log((0.5 + eps) / (1 + eps)) + Math.Log((0.5 + eps) / eps));
        Assert.Equal(expected, Rcfd.Alignment(demo, policy, 2), 12);
        // ≈ ½ log(½ / 1) + ½ log(½ / 1e−6) = −0.35 + 6.56 = 6.21.
        Assert.InRange(expected, 6.2, 6.22);
    }

    [Fact]
    public void AlignmentGrowsWhenThePolicyDriftsAway()
    {
        double[] demo = [.. Enumerable.Range(0, 50).Select(i => i / 10.0)];
        double Drift(double shift) => Rcfd.Alignment(demo, [.. demo.Select(v => v + shift)], 10);

        Assert.True(Drift(0.5) > 0);
        Assert.True(Drift(2) > Drift(0.5));
        Assert.True(Drift(100) > Drift(2));
    }

    [Fact]
    public void AlignmentRefusesEmptyOrNonFiniteSamples()
    {
        Assert.Throws<ArgumentException>(() => Rcfd.Alignment([], [1.0], 4));
        Assert.Throws<ArgumentException>(() => Rcfd.Alignment([1.0], [double.NaN], 4));
    }

    [Fact]
    public void DistinctNByHand()
    {
        int[][] sequences = [[1, 2, 3, 1, 2], [1, 2, 4], [9]];

        // Unigrams: 9 tokens, distinct {1, 2, 3, 4, 9}: 5/9.
        Assert.Equal(5.0 / 9, Rcfd.DistinctN(sequences, 1), 15);
        // Bigrams: (1,2) (2,3) (3,1) (1,2) | (1,2) (2,4): 6, distinct {12, 23, 31, 24}: 4/6.
        Assert.Equal(4.0 / 6, Rcfd.DistinctN(sequences, 2), 15);
        // Trigrams: (1,2,3) (2,3,1) (3,1,2) | (1,2,4): 4, all distinct.
        Assert.Equal(1.0, Rcfd.DistinctN(sequences, 3));
        // No sequence is long enough.
        Assert.Equal(0.0, Rcfd.DistinctN(sequences, 6));
        // A collapsed policy repeating itself.
        Assert.Equal(1.0 / 4, Rcfd.DistinctN([[7, 7, 7, 7]], 1));
    }

    [Fact]
    public void MeanRewardByHand() => Assert.Equal(0.5, Rcfd.MeanReward([1.0, -1.0, 2.0, 0.0]));
}
