using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

public class MaskedMeanTests
{
    // Row 0: response tokens 1, 2, 3; row 1: 10 (then padding holding NaN); row 2: no response.
    private static (Tensor X, Tensor Mask) Batch() => (
        Torch.From<double>([1, 2, 3, 10, double.NaN, 0, 4, 4, 4], [3, 3]),
        Torch.From<long>([1, 1, 1, 1, 0, 0, 0, 0, 0], [3, 3]));

    [Fact]
    public void SequenceMeanAveragesEachRowThenTheRowsThatHaveTokens()
    {
        using var scope = new DisposeScope();
        var (x, mask) = Batch();
        // (mean(1, 2, 3) + mean(10)) / 2 = (2 + 10) / 2 = 6; the empty row counts for nothing.
        var normalizer = MaskedNormalizer.For(mask);
        Assert.Equal((MaskedReduction.SequenceMean, 2.0), (normalizer.Reduction, normalizer.Denominator));
        Assert.Equal(6.0, MaskedMean.Reduce(x, mask, normalizer).ToDouble(), 14);
        Assert.Equal([2.0, 10.0, 0.0], MaskedMean.PerSequence(x, mask).ToArray<double>());
        Assert.Equal(6.0, MaskedMean.Reduce([[1.0, 2, 3], [10.0], []], MaskedReduction.SequenceMean), 14);
    }

    [Fact]
    public void TokenMeanAveragesAllResponseTokensOfTheBatch()
    {
        using var scope = new DisposeScope();
        var (x, mask) = Batch();
        // (1 + 2 + 3 + 10) / 4 = 4
        var normalizer = MaskedNormalizer.For(mask, MaskedReduction.TokenMean);
        Assert.Equal(4.0, normalizer.Denominator);
        Assert.Equal(4.0, MaskedMean.Reduce(x, mask, normalizer).ToDouble(), 14);
        Assert.Equal(4.0, MaskedMean.Of(x, mask).ToDouble(), 14);
        Assert.Equal(16.0, MaskedMean.Sum(x, mask).ToDouble(), 14);
        Assert.Equal(4.0, MaskedMean.Reduce([[1.0, 2, 3], [10.0], []], MaskedReduction.TokenMean), 14);
    }

    [Fact]
    public void NormalizerOfTheMicroBatchMasksEqualsTheFullBatchsAndDividesTheirSums()
    {
        using var scope = new DisposeScope();
        var (x, mask) = Batch();
        Tensor[] masks = [mask.Narrow(0, 0, 1), mask.Narrow(0, 1, 2)];
        foreach (var reduction in new[] { MaskedReduction.SequenceMean, MaskedReduction.TokenMean })
        {
            var normalizer = MaskedNormalizer.For(masks, reduction);
            Assert.Equal(MaskedNormalizer.For(mask, reduction), normalizer);
            double parts = MaskedMean.Reduce(x.Narrow(0, 0, 1), masks[0], normalizer).ToDouble()
                + MaskedMean.Reduce(x.Narrow(0, 1, 2), masks[1], normalizer).ToDouble();
            Assert.Equal(MaskedMean.Reduce(x, mask, normalizer).ToDouble(), parts, 14);
        }
    }

    [Fact]
    public void ABatchWithoutResponseTokensReducesToZeroAndANonPositiveCountIsRefused()
    {
        using var scope = new DisposeScope();
        var mask = Torch.Zeros([2, 3], ScalarType.Bool);
        var x = Torch.Ones([2, 3], ScalarType.Float64);
        Assert.Equal(0.0, MaskedMean.Reduce(x, mask, MaskedNormalizer.For(mask)).ToDouble());
        Assert.Equal(0.0, MaskedMean.Of(x, mask).ToDouble());
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaskedNormalizer(MaskedReduction.TokenMean, 0));
    }
}
