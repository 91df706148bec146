using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

public class RopoTests
{
    private const double Beta = 0.1, Alpha = 14;

    // 4α / (1+α)² = 56 / 225.
    private const double Scale = 56.0 / 225.0;

    [Theory]
    // Δ = 0: ℓ_dpo = log 2 = 0.6931471805599453, ℓ_na = σ(0) = 0.5; (56/225)(0.6931471805599453 + 7) = 1.914738853828253.
    [InlineData(0, 1.914738853828253)]
    // Δ = 10, βΔ = 1: ℓ_dpo = 0.3132616875182228, ℓ_na = σ(−1) = 0.2689414213699951;
    // (56/225)(0.3132616875182228 + 3.7651798991799312) = (56/225)(4.078441586698154) = 1.0150787949115405.
    [InlineData(10, 1.0150787949115405)]
    // Δ = −20, βΔ = −2: ℓ_dpo = −log σ(−2) = 2.1269280110429727, ℓ_na = σ(2) = 0.8807970779778823;
    // (56/225)(2.1269280110429727 + 12.331159091690353) = (56/225)(14.458087102733325) = 3.598457234458072.
    [InlineData(-20, 3.598457234458072)]
    public void LossByHand(double margin, double expected)
    {
        Assert.Equal(expected, Ropo.Loss(margin, Beta, Alpha), 13);
        Assert.Equal(expected, Ropo.Loss(margin, new RopoOptions()), 13);
    }

    [Fact]
    public void GradientWeightPeaksAtOneWhereItsDerivativeInSVanishes()
    {
        // d/ds [(1−s)(1+αs)] = α − 1 − 2αs = 0 at s* = (α−1)/(2α) = 13/28, i.e. βΔ* = log(s*/(1−s*)) = log(13/15),
        // Δ* = 10 · log(13/15) = −1.431008436406733; there (1−s*)(1+αs*) = (15/28)(1 + 13/2) = (15/28)(15/2) = 225/56,
        // and the scale 56/225 makes the peak exactly 1.
        const double peakMargin = -1.431008436406733;
        double best = double.NegativeInfinity, argBest = double.NaN;
        for (int i = -500_000; i <= 500_000; i++)
        {
            double margin = i * 1e-4;
            double w = Ropo.GradientWeight(margin, Beta, Alpha);
            if (w > best) (best, argBest) = (w, margin);
        }

        Assert.Equal(1.0, best, 1e-9);
        Assert.InRange(best, 0, 1 + 1e-12);
        Assert.Equal(peakMargin, argBest, 1e-4);
        Assert.Equal(1.0, Ropo.GradientWeight(peakMargin, Beta, Alpha), 1e-12);
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(14.0)]
    [InlineData(50.0)]
    public void GradientWeightPeakIsOneForEveryAlpha(double alpha)
    {
        double peakMargin = Math.Log((alpha - 1) / (alpha + 1)) / Beta;
        Assert.Equal(1.0, Ropo.GradientWeight(peakMargin, Beta, alpha), 1e-12);
        Assert.True(Ropo.GradientWeight(peakMargin + 0.5, Beta, alpha) < 1);
        Assert.True(Ropo.GradientWeight(peakMargin - 0.5, Beta, alpha) < 1);
    }

    [Fact]
    public void GradientWeightVanishesForConfidentPairsAndFallsToTheScaleForContradictedOnes()
    {
        // βΔ = 20: 1 − s = σ(−20) = 2.0611536181902037e−9, 1 + αs ≈ 15: w = (56/225) · 2.0611536181902037e−9 · (1 + 14σ(20)) = 7.694973493106939e−9.
        Assert.Equal(7.694973493106939e-9, Ropo.GradientWeight(200, Beta, Alpha), 1e-18);
        Assert.True(Ropo.GradientWeight(2000, Beta, Alpha) < 1e-80);
        // Δ → −∞: s → 0, w → 56/225, where DPO's weight 1 − s would tend to 1.
        Assert.Equal(Scale, Ropo.GradientWeight(-2000, Beta, Alpha), 1e-15);
        double previous = double.PositiveInfinity;
        for (double margin = -1.43; margin <= 400; margin += 0.5)
        {
            double w = Ropo.GradientWeight(margin, Beta, Alpha);
            Assert.True(w < previous, $"the weight rises at Δ = {margin}");
            previous = w;
        }
    }

    [Theory]
    [InlineData(-30)]
    [InlineData(-1.43)]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(45)]
    public void GradientWeightIsTheLossSlopeOverMinusBeta(double margin)
    {
        // ∂ℓ_ropo/∂Δ = −β · w: central differences of the loss, error O(h²) ≈ 1e−10.
        const double h = 1e-4;
        double slope = (Ropo.Loss(margin + h, Beta, Alpha) - Ropo.Loss(margin - h, Beta, Alpha)) / (2 * h);
        Assert.Equal(-Beta * Ropo.GradientWeight(margin, Beta, Alpha), slope, 1e-8);
    }

    [Fact]
    public void TensorPairLossesEqualTheScalarOnes()
    {
        double[] margins = [-60, -20, -1.431, 0, 10, 80];
        using var scope = new DisposeScope();
        double[] losses = Ropo.PairLosses(Torch.From<double>(margins), Beta, Alpha).ToArray<double>();

        for (int i = 0; i < margins.Length; i++) Assert.Equal(Ropo.Loss(margins[i], Beta, Alpha), losses[i], 12);
        Assert.Equal(losses, Ropo.PairLosses(margins, Beta, Alpha), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void WeightedBatchLossAveragesTheKeptPairs()
    {
        using var scope = new DisposeScope();
        Tensor margins = Torch.From<double>([0.0, 10, -20]);

        // Weights (1, 0, 1): (1.914738853828253 + 3.598457234458072) / 2 = 2.7565980441431623.
        Assert.Equal(2.7565980441431623, Ropo.Loss(margins, Beta, Alpha, Torch.From<double>([1.0, 0, 1])).ToDouble(), 13);
        // Unweighted: (1.914738853828253 + 1.0150787949115405 + 3.598457234458072) / 3 = 2.1760916277326214.
        Assert.Equal(2.1760916277326214, Ropo.Loss(margins, new RopoOptions()).ToDouble(), 13);
        // Float weights with double losses, and no pair kept: 0, not NaN.
        Assert.Equal(0.0, Ropo.Loss(margins, Beta, Alpha, Torch.From<float>([0f, 0f, 0f])).ToDouble());
    }
}
