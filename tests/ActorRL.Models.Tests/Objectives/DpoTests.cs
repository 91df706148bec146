using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

public class DpoTests
{
    [Fact]
    public void ZeroMarginCostsLogTwo()
    {
        // σ(0) = 1/2, so −log σ(0) = log 2 whatever β; label smoothing mixes log 2 with log 2.
        Assert.Equal(Math.Log(2), Dpo.Loss(0, 0.1), 15);
        Assert.Equal(Math.Log(2), Dpo.Loss(0, 0.1, 0.3), 15);
    }

    [Fact]
    public void LossByHand()
    {
        // β = 0.1, Δ = 10: βΔ = 1, σ(1) = 0.7310585786300049, −log σ(1) = 0.3132616875182228.
        Assert.Equal(0.3132616875182228, Dpo.Loss(10, 0.1), 14);
        // Δ = −10: −log σ(−1) = 1 + 0.3132616875182228 (log σ(x) − log σ(−x) = x).
        Assert.Equal(1.3132616875182228, Dpo.Loss(-10, 0.1), 14);
    }

    [Fact]
    public void LabelSmoothingByHand()
    {
        // ε = 0.1, βΔ = 1: 0.9 · 0.3132616875182228 + 0.1 · 1.3132616875182228 = 0.28193551876640 + 0.13132616875182
        //                = 0.41326168751822 (= plain loss + ε·βΔ).
        Assert.Equal(0.41326168751822284, Dpo.Loss(10, 0.1, 0.1), 14);
    }

    [Fact]
    public void HugeMarginsNeitherOverflowNorLoseTheLinearTail()
    {
        // −log σ(−1000) = 1000 + log(1 + e^−1000) = 1000; −log σ(1000) = log(1 + e^−1000) ≈ e^−1000, which is 0 in doubles.
        Assert.Equal(1000, Dpo.Loss(-10_000, 0.1), 9);
        Assert.Equal(0, Dpo.Loss(10_000, 0.1));
        // −log σ(40) = log(1 + e^−40) ≈ e^−40 = 4.248354255291589e−18: a naive log(1 + u) would round it to 0.
        Assert.Equal(4.248354255291589e-18, Dpo.Loss(400, 0.1), 1e-30);
    }

    [Fact]
    public void MarginIsTheDifferenceOfLogRatios()
    {
        // [−10 − (−11)] − [−12 − (−11.5)] = 1 − (−0.5) = 1.5.
        Assert.Equal(1.5, Dpo.Margin(policyChosen: -10, policyRejected: -12, referenceChosen: -11, referenceRejected: -11.5), 15);
        Assert.Equal(0.1 * (-10 + 11), Dpo.ImplicitReward(-10, -11, 0.1), 15);
    }

    [Fact]
    public void SequenceLogProbsSumResponseTokensOnlyAndIgnoreWhatPaddingHolds()
    {
        using var scope = new DisposeScope();
        // Padding holds −∞ and NaN: multiplying by the mask would give NaN (0 · −∞), filling does not.
        double[] logps = [-1, -2, double.NegativeInfinity, -0.5, double.NaN, -3];
        Tensor tokenLogps = Torch.From<double>(logps, [2, 3], requiresGrad: true);
        Tensor mask = Torch.From<bool>([true, true, false, true, false, true], [2, 3]);

        Tensor sums = Dpo.SequenceLogProbs(tokenLogps, mask);
        sums.Sum().Backward();

        Assert.Equal([-3.0, -3.5], sums.ToArray<double>());
        Assert.Equal([1.0, 1, 0, 1, 0, 1], tokenLogps.Grad!.ToArray<double>());
        // A float mask (1/0) selects the same tokens.
        Tensor floatMask = Torch.From<float>([1, 1, 0, 1, 0, 1], [2, 3]);
        Assert.Equal([-3.0, -3.5], Dpo.SequenceLogProbs(tokenLogps, floatMask).ToArray<double>());
        Assert.Equal(-3.5, Dpo.SequenceLogProb(logps.AsSpan(3), [true, false, true]));
    }

    [Fact]
    public void TensorLossesEqualTheScalarOnes()
    {
        double[] margins = [-40, -3, -1.431, 0, 2.5, 10, 60];
        using var scope = new DisposeScope();
        Tensor t = Torch.From<double>(margins);

        double[] plain = Dpo.PairLosses(t, 0.1).ToArray<double>();
        double[] smoothed = Dpo.PairLosses(t, 0.1, 0.2).ToArray<double>();

        for (int i = 0; i < margins.Length; i++)
        {
            Assert.Equal(Dpo.Loss(margins[i], 0.1), plain[i], 12);
            Assert.Equal(Dpo.Loss(margins[i], 0.1, 0.2), smoothed[i], 12);
        }
        Assert.Equal(plain.Average(), Dpo.Loss(t, 0.1).ToDouble(), 12);
    }

    [Fact]
    public void DiagnosticsByHand()
    {
        // Pair 0: r_w = 0.1 · (−10 + 11) = 0.1, r_l = 0.1 · (−12 + 11) = −0.1, Δ = 2, right.
        // Pair 1: r_w = 0.1 · (−5 + 5) = 0, r_l = 0.1 · (−4 + 5) = 0.1, Δ = −1, wrong.
        // Loss: (−log σ(0.2) − log σ(−0.1)) / 2 = (0.5981388693815918 + 0.744396660073571) / 2 = 0.6712677647275813.
        DpoDiagnostics d = Dpo.Diagnostics([-10, -5], [-12, -4], [-11, -5], [-11, -5], beta: 0.1);

        Assert.Equal(0.6712677647275813, d.Loss, 14);
        Assert.Equal(0.05, d.ChosenReward, 14);
        Assert.Equal(0.0, d.RejectedReward, 14);
        Assert.Equal(0.05, d.RewardMargin, 14);
        Assert.Equal(0.5, d.Accuracy);

        using var scope = new DisposeScope();
        DpoDiagnostics fromTensors = Dpo.Diagnostics(Torch.From<float>([-10f, -5f]), Torch.From<float>([-12f, -4f]),
            Torch.From<float>([-11f, -5f]), Torch.From<float>([-11f, -5f]), beta: 0.1);
        Assert.Equal(d, fromTensors);
    }

    [Fact]
    public void DiagnosticsRefuseMismatchedPairCounts() =>
        Assert.Throws<ArgumentException>(() => Dpo.Diagnostics([-1.0, -2], [-1.0], [-1.0, -2], [-1.0, -2], 0.1));
}
