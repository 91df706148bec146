using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

public class PpoLossTests
{
    // Five tokens, ε = 0.2. ρ = exp(log π_θ − log π_old):
    //   a: ρ 1.5, A +2: min(3.0, 1.2·2 = 2.4)    = 2.4  → ℓ −2.4  clipped (no gradient)
    //   b: ρ 1.5, A −1: min(−1.5, 1.2·−1 = −1.2) = −1.5 → ℓ  1.5  unclipped
    //   c: ρ 0.5, A −1: min(−0.5, 0.8·−1 = −0.8) = −0.8 → ℓ  0.8  clipped (no gradient)
    //   d: ρ 0.5, A +2: min(1.0, 0.8·2 = 1.6)    = 1.0  → ℓ −1.0  unclipped
    //   e: ρ 1.1, A +1: inside the clip range           → ℓ −1.1
    // dℓ/dlog π_θ = −ρA where unclipped: [0, 1.5, 0, −1.0, −1.1].
    private static readonly double[] Ratios = [1.5, 1.5, 0.5, 0.5, 1.1];
    private static readonly double[] Advantages = [2, -1, -1, 2, 1];
    private static readonly double[] TokenLosses = [-2.4, 1.5, 0.8, -1.0, -1.1];
    private static readonly double[] OldLogProbs = [-1.0, -2.0, -0.5, -3.0, -1.2];
    private static readonly double[] LogProbs = OldLogProbs.Zip(Ratios, (o, r) => o + Math.Log(r)).ToArray();

    [Fact]
    public void ActorLossPerTokenMatchesTheHandValuesInEveryClipCase()
    {
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(TokenLosses[i], Ppo.ActorLossPerToken(LogProbs[i], OldLogProbs[i], Advantages[i], 0.2), 12);
        }
        using var scope = new DisposeScope();
        double[] perToken = Ppo.ActorLossPerToken(Torch.From<double>(LogProbs), Torch.From<double>(OldLogProbs), Torch.From<double>(Advantages), 0.2).ToArray<double>();
        for (int i = 0; i < 5; i++) Assert.Equal(TokenLosses[i], perToken[i], 12);
    }

    [Fact]
    public void ActorLossGradientIsZeroOnClippedTokensAndMinusRhoAOnTheOthers()
    {
        using var scope = new DisposeScope();
        var logp = Torch.From<double>(LogProbs, [1, 5], requiresGrad: true);
        var mask = Torch.Ones([1, 5], ScalarType.Bool);
        var loss = Ppo.ActorLoss(logp, Torch.From<double>(OldLogProbs, [1, 5]), Torch.From<double>(Advantages, [1, 5]), mask, 0.2,
            MaskedNormalizer.For(mask, MaskedReduction.TokenMean));
        Assert.Equal(-2.2 / 5, loss.ToDouble(), 12);
        loss.Backward();
        double[] grad = logp.Grad!.ToArray<double>();
        double[] expected = [0, 1.5 / 5, 0, -1.0 / 5, -1.1 / 5];
        for (int i = 0; i < 5; i++) Assert.True(Math.Abs(expected[i] - grad[i]) < 1e-12, $"[{i}] {grad[i]} != {expected[i]}");
    }

    [Fact]
    public void ActorLossFollowsTheReductionItIsGiven()
    {
        // Tokens a, b, c in row 0 and d, e in row 1 (then padding):
        //   sequence mean: (mean(−2.4, 1.5, 0.8) + mean(−1.0, −1.1)) / 2 = (−0.1/3 − 1.05) / 2 = −0.541666…
        //   token mean:    (−2.4 + 1.5 + 0.8 − 1.0 − 1.1) / 5 = −0.44
        using var scope = new DisposeScope();
        var (logp, old, adv, mask) = TwoRows();
        Assert.Equal((-0.1 / 3 - 1.05) / 2, Ppo.ActorLoss(logp, old, adv, mask, 0.2).ToDouble(), 12);
        Assert.Equal(-0.44, Ppo.ActorLoss(logp, old, adv, mask, 0.2, MaskedNormalizer.For(mask, MaskedReduction.TokenMean)).ToDouble(), 12);
    }

    [Fact]
    public void ValueLossClipsAroundTheOldValueByHand()
    {
        // c_v = 0.2:
        //   1: V_old 0.5, V 1.0, G 0.7 → V_clip 0.7: max(0.09, 0) = 0.09 → 0.045; unclipped term, d/dV = V − G = 0.3
        //   2: V_old 0.5, V 1.0, G 1.5 → V_clip 0.7: max(0.25, 0.64) = 0.64 → 0.32; clipped term, d/dV = 0
        //   3: V_old 0,   V 0.1, G −0.3 → inside: 0.16 → 0.08; d/dV = 0.4
        // token mean: 0.445 / 3
        double[] v = [1.0, 1.0, 0.1], old = [0.5, 0.5, 0], g = [0.7, 1.5, -0.3];
        double[] expected = [0.045, 0.32, 0.08];
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], Ppo.ValueLossPerToken(v[i], old[i], g[i], 0.2), 12);

        using var scope = new DisposeScope();
        var values = Torch.From<double>(v, [1, 3], requiresGrad: true);
        var mask = Torch.Ones([1, 3], ScalarType.Int64);
        var loss = Ppo.ValueLoss(values, Torch.From<double>(old, [1, 3]), Torch.From<double>(g, [1, 3]), mask, 0.2);
        Assert.Equal(0.445 / 3, loss.ToDouble(), 12);
        loss.Backward();
        double[] grad = values.Grad!.ToArray<double>();
        double[] expectedGrad = [0.3 / 3, 0, 0.4 / 3];
        for (int i = 0; i < 3; i++) Assert.True(Math.Abs(expectedGrad[i] - grad[i]) < 1e-12, $"[{i}] {grad[i]} != {expectedGrad[i]}");
    }

    [Fact]
    public void TotalLossAddsTheWeightedValueLossAndSubtractsTheEntropyBonus()
    {
        // Actor (token mean) −0.44 as above. Values inside the clip range with V − G = [1, −1, 0.5, 0, 2]:
        // 0.5·(V − G)² = [0.5, 0.5, 0.125, 0, 2], mean 0.625. Entropy 1 on every token.
        // Total = −0.44 + 0.5·0.625 − 0.01·1 = −0.1375.
        using var scope = new DisposeScope();
        var options = new PpoOptions { ValueCoefficient = 0.5, EntropyCoefficient = 0.01 };
        var mask = Torch.Ones([1, 5], ScalarType.Float64);
        var oldValues = Torch.From<double>([0.3, 0.1, -0.2, 0.9, 0.0], [1, 5]);
        var returns = oldValues - Torch.From<double>([1, -1, 0.5, 0, 2], [1, 5]);
        var batch = new PpoBatch(Torch.From<double>(OldLogProbs, [1, 5]), Torch.From<double>(Advantages, [1, 5]), oldValues, returns, mask);
        var loss = Ppo.Loss(Torch.From<double>(LogProbs, [1, 5]), oldValues, Torch.Ones([1, 5], ScalarType.Float64), batch, options,
            MaskedNormalizer.For(mask, MaskedReduction.TokenMean));
        Assert.Equal(-0.44, loss.Actor.ToDouble(), 12);
        Assert.Equal(0.625, loss.Value.ToDouble(), 12);
        Assert.Equal(1.0, loss.Entropy!.ToDouble(), 12);
        Assert.Equal(-0.1375, loss.Total.ToDouble(), 12);
    }

    [Fact]
    public void DiagnosticsMatchTheHandValues()
    {
        // Clipped tokens a and c: 2/5. Mean ρ = 5.1 / 5 = 1.02.
        // (ρ − 1) − log ρ: 1.5 → 0.0945348918918356, 0.5 → 0.1931471805599453, 1.1 → 0.004689820195675154
        // approx KL = (2·0.0945348918918356 + 2·0.1931471805599453 + 0.004689820195675154) / 5.
        // Values: tokens 1 and 2 are token 2 of ValueLossClipsAroundTheOldValueByHand (the clipped term is the larger),
        // token 3 is inside the clip range, 4 and 5 are exact: 2/5.
        using var scope = new DisposeScope();
        var mask = Torch.From<long>([1, 1, 1, 1, 1, 0], [1, 6]);
        static double[] Padded(double[] x, double v) => [.. x, v];
        var batch = new PpoBatch(
            Torch.From<double>(Padded(OldLogProbs, 0), [1, 6]), Torch.From<double>(Padded(Advantages, 100), [1, 6]),
            Torch.From<double>([0.5, 0.5, 0, 0, 0, 0], [1, 6]), Torch.From<double>([1.5, 1.5, -0.3, 0, 0, 0], [1, 6]), mask);
        var d = Ppo.Diagnose(Torch.From<double>(Padded(LogProbs, 5), [1, 6]), Torch.From<double>([1.0, 1.0, 0.1, 0, 0, 7], [1, 6]), batch, new PpoOptions());
        Assert.Equal(0.4, d.ClipFraction, 12);
        Assert.Equal(1.02, d.MeanRatio, 12);
        Assert.Equal((2 * 0.0945348918918356 + 2 * 0.1931471805599453 + 0.004689820195675154) / 5, d.ApproxKl, 12);
        Assert.Equal(0.4, d.ValueClipFraction, 12);
        Assert.Equal(5.0, d.Tokens);

        var combined = d.Combine(d with { ClipFraction = 0.1, Tokens = 15 });
        Assert.Equal((0.4 * 5 + 0.1 * 15) / 20, combined.ClipFraction, 12);
        Assert.Equal(20.0, combined.Tokens);
    }

    private static (Tensor LogProbs, Tensor Old, Tensor Advantages, Tensor Mask) TwoRows()
    {
        static double[] Rows(double[] x, double pad) => [x[0], x[1], x[2], x[3], x[4], pad];
        return (
            Torch.From<double>(Rows(LogProbs, 3.0), [2, 3]),
            Torch.From<double>(Rows(OldLogProbs, -7.0), [2, 3]),
            Torch.From<double>(Rows(Advantages, 50), [2, 3]),
            Torch.From<bool>([true, true, true, true, true, false], [2, 3]));
    }
}
