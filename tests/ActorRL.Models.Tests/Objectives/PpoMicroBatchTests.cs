using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

/// <summary>
/// Gradient accumulation: the PPO losses of micro-batches, normalized by the whole batch's counts, sum to the full-batch
/// loss, and their accumulated gradients equal the full batch's.
/// </summary>
public class PpoMicroBatchTests
{
    private const int Rows = 6, Width = 5;
    private static readonly (int Start, int Count)[] Splits = [(0, 2), (2, 1), (3, 3)];

    [Theory]
    [InlineData(MaskedReduction.SequenceMean)]
    [InlineData(MaskedReduction.TokenMean)]
    public void AccumulatedMicroBatchGradientsEqualTheFullBatchGradient(MaskedReduction reduction)
    {
        using var scope = new DisposeScope();
        var (logp, values, entropies, batch) = RandomBatch();
        var options = new PpoOptions { ValueCoefficient = 0.7, EntropyCoefficient = 0.05 };
        var normalizer = MaskedNormalizer.For(batch.Mask, reduction);

        var full = Ppo.Loss(logp, values, entropies, batch, options, normalizer);
        full.Total.Backward();
        double[][] fullGrads = Grads(logp, values, entropies);
        foreach (var leaf in new[] { logp, values, entropies }) leaf.ZeroGrad();

        double summed = 0;
        foreach (var (start, count) in Splits)
        {
            var part = Ppo.Loss(logp.Narrow(0, start, count), values.Narrow(0, start, count), entropies.Narrow(0, start, count),
                batch.Rows(start, count), options, normalizer);
            part.Total.Backward();
            summed += part.Total.ToDouble();
        }
        Assert.Equal(full.Total.ToDouble(), summed, 12);
        double[][] accumulated = Grads(logp, values, entropies);
        for (int k = 0; k < 3; k++)
        {
            Assert.Contains(fullGrads[k], g => Math.Abs(g) > 1e-3);
            for (int i = 0; i < fullGrads[k].Length; i++)
            {
                Assert.True(Math.Abs(fullGrads[k][i] - accumulated[k][i]) < 1e-12, $"grad {k}[{i}]: {accumulated[k][i]} != {fullGrads[k][i]}");
            }
        }
    }

    [Fact]
    public void NormalizingEachMicroBatchByItsOwnTokensWouldNotSumToTheFullBatch()
    {
        // The reason the normalizer is counted over the whole batch: with micro-batches of unequal token counts, the
        // micro-batches' own token means weigh their tokens differently, and the accumulated loss is off.
        using var scope = new DisposeScope();
        var (logp, values, entropies, batch) = RandomBatch();
        var options = new PpoOptions();
        double full = Ppo.Loss(logp, values, entropies, batch, options, MaskedNormalizer.For(batch.Mask, MaskedReduction.TokenMean)).Total.ToDouble();
        double local = Splits.Sum(s =>
        {
            var part = batch.Rows(s.Start, s.Count);
            return Ppo.Loss(logp.Narrow(0, s.Start, s.Count), values.Narrow(0, s.Start, s.Count), entropies.Narrow(0, s.Start, s.Count), part,
                options, MaskedNormalizer.For(part.Mask, MaskedReduction.TokenMean)).Total.ToDouble() / Splits.Length;
        });
        Assert.True(Math.Abs(full - local) > 1e-3, $"full {full}, mean of local means {local}");
    }

    private static (Tensor LogProbs, Tensor Values, Tensor Entropies, PpoBatch Batch) RandomBatch()
    {
        var rng = new Random(17);
        double[] Uniform(double low, double high) => Enumerable.Range(0, Rows * Width).Select(_ => low + (high - low) * rng.NextDouble()).ToArray();
        double[] old = Uniform(-3, -0.1);
        double[] logp = old.Select(o => o + 0.6 * (rng.NextDouble() - 0.5)).ToArray();
        double[] oldValues = Uniform(-1, 1);
        double[] values = oldValues.Select(v => v + 0.8 * (rng.NextDouble() - 0.5)).ToArray();
        int[] lengths = [5, 2, 4, 0, 1, 3];
        bool[] mask = Enumerable.Range(0, Rows * Width).Select(i => i % Width < lengths[i / Width]).ToArray();
        long[] shape = [Rows, Width];
        var batch = new PpoBatch(
            Torch.From<double>(old, shape), Torch.From<double>(Uniform(-2, 2), shape), Torch.From<double>(oldValues, shape),
            Torch.From<double>(Uniform(-1.5, 1.5), shape), Torch.From<bool>(mask, shape));
        return (Torch.From<double>(logp, shape, requiresGrad: true), Torch.From<double>(values, shape, requiresGrad: true),
            Torch.From<double>(Uniform(0.5, 3), shape, requiresGrad: true), batch);
    }

    private static double[][] Grads(params Tensor[] leaves) => leaves.Select(t => t.Grad!.ToArray<double>()).ToArray();
}
