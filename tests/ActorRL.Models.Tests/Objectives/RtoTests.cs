using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

/// <summary>RTO's token rewards (OBJECTIVES.md, "RTO") by hand: the clip at ±c, the KL term, the clamped R on the last token.</summary>
public class RtoTests
{
    // Log-probabilities of one three-token response: log π_dpo − log π_ref = (0.5, −2, 1.5), log π_old − log π_ref =
    // (0.3, −0.2, 1.0).
    private static readonly double[] Reference = [-2.0, -2.5, -3.0];
    private static readonly double[] Dpo = [-1.5, -4.5, -1.5];
    private static readonly double[] Old = [-1.7, -2.7, -2.0];

    [Fact]
    public void OneSequenceWithDefaultOptions()
    {
        // β1 = 0.05, c = 0.05, β2 = 0.01, bound 10:
        // r_1 = clip(0.025) − 0.003 = 0.022; r_2 = clip(−0.1) + 0.002 = −0.05 + 0.002 = −0.048;
        // r_3 = clip(0.075) − 0.01 + clamp(12) = 0.05 − 0.01 + 10 = 10.04.
        double[] r = Rto.TokenRewards(Dpo, Reference, Old, 12.0, new RtoOptions());
        Assert.Equal(3, r.Length);
        Assert.Equal(0.022, r[0], 1e-12);
        Assert.Equal(-0.048, r[1], 1e-12);
        Assert.Equal(10.04, r[2], 1e-12);
    }

    [Fact]
    public void OneSequenceWithOtherOptionsClampsANegativeReward()
    {
        // β1 = 1, c = 0.3, β2 = 0.5, bound 2, R = −5:
        // r_1 = clip(0.5) − 0.15 = 0.15; r_2 = clip(−2) + 0.1 = −0.2; r_3 = clip(1.5) − 0.5 + clamp(−5) = 0.3 − 0.5 − 2 = −2.2.
        var options = new RtoOptions { Beta1 = 1, RewardClip = 0.3, Beta2 = 0.5, SequenceRewardBound = 2 };
        double[] r = Rto.TokenRewards(Dpo, Reference, Old, -5.0, options);
        Assert.Equal(0.15, r[0], 1e-12);
        Assert.Equal(-0.2, r[1], 1e-12);
        Assert.Equal(-2.2, r[2], 1e-12);
        Assert.Empty(Rto.TokenRewards([], [], [], 3.0, options));
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void BatchPutsTheClampedRewardOnEachRowsLastResponseToken(string device)
    {
        // log π_ref = −1 on response tokens; NaN outside the mask, which must not leak.
        //   row 0: prompt, then 3 response tokens: dpo − ref = (0.4, 2.0, −0.6), old − ref = (0.1, −0.5, 0.2), R = 12 → 10
        //          r = (0, 0.02 − 0.001, 0.05 + 0.005, −0.03 − 0.002 + 10) = (0, 0.019, 0.055, 9.968)
        //   row 1: 2 response tokens, then padding: dpo − ref = (−0.2, 1.2), old − ref = (0, 0.3), R = −15 → −10
        //          r = (−0.01, 0.05 − 0.003 − 10, 0, 0) = (−0.01, −9.953, 0, 0)
        //   row 2: no response token: all 0, R = 3 goes nowhere.
        double n = double.NaN;
        double[] reference = [n, -1, -1, -1, -1, -1, n, n, n, n, n, n];
        double[] dpo = [n, -0.6, 1.0, -1.6, -1.2, 0.2, n, n, n, n, n, n];
        double[] old = [n, -0.9, -1.5, -0.8, -1.0, -0.7, n, n, n, n, n, n];
        bool[] mask = [false, true, true, true, true, true, false, false, false, false, false, false];
        double[] expected = [0, 0.019, 0.055, 9.968, -0.01, -9.953, 0, 0, 0, 0, 0, 0];

        using var scope = new DisposeScope();
        Device dev = Device.Parse(device);
        foreach (ScalarType dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            Tensor T(double[] values) => Torch.From<double>(values, [3, 4], dev).To(dtype);
            var rewards = Rto.TokenRewards(T(dpo), T(reference), T(old), Torch.From<bool>(mask, [3, 4], dev),
                Torch.From<double>([12.0, -15.0, 3.0], dev), new RtoOptions());
            Assert.Equal([3L, 4L], rewards.Shape);
            Assert.Equal(dtype, rewards.DType);
            Assert.False(rewards.RequiresGrad);
            double[] actual = rewards.To(ScalarType.Float64).ToArray<double>();
            double tolerance = dtype == ScalarType.Float64 ? 1e-12 : 1e-6;
            for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{dtype} r[{i}] = {actual[i]}, expected {expected[i]}");
        }

        // A numeric mask works like a bool one, and the batch agrees with the one-sequence version on row 0.
        var fromFloatMask = Rto.TokenRewards(T64(dpo), T64(reference), T64(old), Torch.From(mask.Select(m => m ? 1.0 : 0.0).ToArray(), [3, 4], dev),
            Torch.From<double>([12.0, -15.0, 3.0], dev), new RtoOptions()).ToArray<double>();
        double[] single = Rto.TokenRewards(dpo[1..4], reference[1..4], old[1..4], 12.0, new RtoOptions());
        for (int t = 0; t < 3; t++) Assert.Equal(single[t], fromFloatMask[1 + t], 1e-15);

        Tensor T64(double[] values) => Torch.From<double>(values, [3, 4], dev);
    }

    [Fact]
    public void InvalidInputIsRefusedNamingTheCulprit()
    {
        Assert.Equal("RewardClip", Assert.Throws<InvalidOptionException>(
            () => Rto.TokenRewards(Dpo, Reference, Old, 1.0, new RtoOptions { RewardClip = -1 })).ParamName);
        Assert.Equal("refLogProbs", Assert.Throws<ArgumentException>(
            () => Rto.TokenRewards(Dpo, [-1.0], Old, 1.0, new RtoOptions())).ParamName);
        using var scope = new DisposeScope();
        var good = Torch.Zeros([2, 3], ScalarType.Float64);
        Assert.Equal("oldLogProbs", Assert.Throws<ArgumentException>(
            () => Rto.TokenRewards(good, good, Torch.Zeros([3, 2], ScalarType.Float64), Torch.Ones([2, 3], ScalarType.Bool), Torch.Zeros([2]), new RtoOptions())).ParamName);
        Assert.Equal("sequenceRewards", Assert.Throws<ArgumentException>(
            () => Rto.TokenRewards(good, good, good, Torch.Ones([2, 3], ScalarType.Bool), Torch.Zeros([3]), new RtoOptions())).ParamName);
    }
}
