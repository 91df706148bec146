using System.Text.Json.Nodes;
using ActorRL.Models.Objectives;

namespace ActorRL.Models.Tests.Objectives;

/// <summary>The worst-case span weights of DRTO (OBJECTIVES.md, "DRTO", step 3) against hand and PyTorch values.</summary>
public class DroWeightsTests
{
    private static void AssertWeights(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= tolerance, $"q[{k}] = {actual[k]}, expected {expected[k]} (tolerance {tolerance:E0})");
        }
    }

    private static double[] RandomLosses(Random rng, int n, double scale = 1.0) =>
        Enumerable.Range(0, n).Select(_ => (rng.NextDouble() * 2 - 0.5) * scale).ToArray();

    private static void AssertMonotoneAndNormalized(double[] losses, double[] q, string what)
    {
        Assert.True(Math.Abs(q.Sum() - 1) <= 1e-12, $"{what}: weights sum to {q.Sum()}");
        Assert.True(q.All(w => w >= 0), $"{what}: a negative weight");
        // Ordered by loss, the weights never fall, and tied losses carry equal weights.
        int[] order = Enumerable.Range(0, q.Length).OrderBy(k => losses[k]).ToArray();
        for (int i = 1; i < order.Length; i++)
        {
            int a = order[i - 1], b = order[i];
            bool ok = losses[a] < losses[b] ? q[a] <= q[b] : q[a] == q[b];
            if (!ok) Assert.Fail($"{what}: ℓ[{a}] = {losses[a]}, ℓ[{b}] = {losses[b]} got q {q[a]} and {q[b]}");
        }
    }

    [Fact]
    public void KlBallWithTwoLossesPutsTheBisectedMassOnTheLarger()
    {
        // ℓ = (0, 1): q = (1 − p, p) with p = σ(1/τ), and KL(q ‖ u) = log 2 − H(p). KL = 0.1 at p = 0.7197946261614099
        // (bisection on p by hand in Python, to 1e-16), so τ = 1 / log(p / (1 − p)) = 1.0599473157081871.
        DroSolution s = DroWeights.Solve([0.0, 1.0], DroSet.Kl, 0.1);

        AssertWeights([1 - 0.7197946261614099, 0.7197946261614099], s.Weights, 1e-9);
        Assert.Equal(1.0599473157081871, s.Temperature, 1e-8);
        Assert.Equal(0.1, s.KlFromUniform, 1e-9);
        // Worst case Σ q ℓ = p; the dual τ·log((e^0 + e^(1/τ))/2) + τρ equals it at the solution.
        Assert.Equal(0.7197946261614099, s.WorstCaseValue, 1e-9);
        Assert.Equal(0.7197946261614099, s.DualValue, 1e-9);
    }

    [Fact]
    public void KlPenalizedIsSoftmaxAtTheGivenTemperature()
    {
        // exp(ℓ/τ) for ℓ = (0, ln 2, ln 3): at τ = 1 it is (1, 2, 3), at τ = 0.5 it is (1, 4, 9).
        double[] losses = [0, Math.Log(2), Math.Log(3)];
        AssertWeights([1 / 6.0, 2 / 6.0, 3 / 6.0], DroWeights.Compute(losses, DroSet.KlPenalized, 1.0), 1e-15);
        DroSolution s = DroWeights.Solve(losses, DroSet.KlPenalized, 0.5);
        AssertWeights([1 / 14.0, 4 / 14.0, 9 / 14.0], s.Weights, 1e-15);
        Assert.Equal(0.5, s.Temperature);
        // The penalized value τ·log((1/n) Σ exp(ℓ/τ)) = 0.5·log(14/3).
        Assert.Equal(0.5 * Math.Log(14 / 3.0), s.DualValue, 1e-14);
    }

    [Fact]
    public void ChiSquareBallMatchesTheClosedFormWhenNoWeightClips()
    {
        // ℓ = (1, 2, 3, 4): mean 2.5, Var (1/n) = 1.25. ρ = 0.05: η = 2.5 − √(1.25/0.1) = −1.0355 < min ℓ, so no weight
        // clips, q_k = (ℓ_k − η)/Σ (ℓ_j − η) and the worst case is 2.5 + √(2·0.05·1.25) = 2.8535533905932737.
        double[] losses = [1, 2, 3, 4];
        DroSolution s = DroWeights.Solve(losses, DroSet.ChiSquare, 0.05);

        double eta = 2.5 - Math.Sqrt(12.5);
        double total = losses.Sum(l => l - eta);
        AssertWeights(losses.Select(l => (l - eta) / total).ToArray(), s.Weights, 1e-14);
        Assert.Equal(eta, s.Threshold, 1e-12);
        Assert.Equal(2.5 + Math.Sqrt(0.125), s.WorstCaseValue, 1e-12);
        Assert.Equal(2.5 + Math.Sqrt(0.125), s.DualValue, 1e-12);
        Assert.Equal(0.05, s.ChiSquareFromUniform, 1e-12);
    }

    [Fact]
    public void ChiSquareBallClipsTheSmallestLossWhenTheRadiusIsLarge()
    {
        // ℓ = (0, 1, 2), ρ = 0.5. The no-clip η = 1 − √((2/3)/1) = 0.18 > 0 would give ℓ = 0 a negative weight, so the
        // active set is {1, 2}: μ = 1.5, V = 0.25, (1 + 2ρ)·2/3 − 1 = 1/3, η = 1.5 − √0.75 = 1.5 − √3/2, and
        // q = (0, (√3 − 1)/(2√3), (√3 + 1)/(2√3)) = (0, 0.2113, 0.7887); check: (1/6)·(1 + 0.134 + 1.866) = 0.5.
        DroSolution s = DroWeights.Solve([0.0, 1.0, 2.0], DroSet.ChiSquare, 0.5);

        double r3 = Math.Sqrt(3);
        AssertWeights([0, (r3 - 1) / (2 * r3), (r3 + 1) / (2 * r3)], s.Weights, 1e-14);
        Assert.Equal(1.5 - r3 / 2, s.Threshold, 1e-13);
        Assert.Equal(0.5, s.ChiSquareFromUniform, 1e-13);
        Assert.Equal(s.WorstCaseValue, s.DualValue, 1e-12);
    }

    [Fact]
    public void ChiSquareRadiusBeyondTheMostConcentratedSolutionPutsAllMassOnTheTop()
    {
        // One-hot on the largest of n = 3 has divergence (n − 1)/2 = 1: radii from 1 up are not binding.
        AssertWeights([0, 0, 1], DroWeights.Compute([0.0, 1.0, 2.0], DroSet.ChiSquare, 1.0), 0);
        AssertWeights([0, 0, 1], DroWeights.Compute([0.0, 1.0, 2.0], DroSet.ChiSquare, 7.0), 0);
        // Two tied at the top: (n − m)/(2m) = 1/4 caps the divergence; q splits evenly between them.
        DroSolution s = DroWeights.Solve([3.0, 1.0, 3.0], DroSet.ChiSquare, 0.3);
        AssertWeights([0.5, 0, 0.5], s.Weights, 0);
        Assert.Equal(3.0, s.Threshold);
    }

    [Fact]
    public void CvarPutsOneOverAlphaNOnTheTopLossesWithAFractionalBoundary()
    {
        // n = 5, α = 0.3: αn = 1.5, so 1/1.5 = 2/3 on the largest (0.9) and the remaining 0.5/1.5 = 1/3 on the next (0.5).
        double[] losses = [0.1, 0.5, 0.3, 0.9, 0.2];
        DroSolution s = DroWeights.Solve(losses, DroSet.Cvar, 0.3);

        AssertWeights([0, 1 / 3.0, 0, 2 / 3.0, 0], s.Weights, 1e-15);
        // VaR = ℓ_(⌈1.5⌉) = 0.5; CVaR = 0.5 + (0.9 − 0.5)/1.5 = 0.7666...
        Assert.Equal(0.5, s.Threshold);
        Assert.Equal(0.5 + 0.4 / 1.5, s.DualValue, 1e-15);
        Assert.Equal(2 / 3.0 * 0.9 + 1 / 3.0 * 0.5, s.WorstCaseValue, 1e-15);
        Assert.Equal(2 / 3.0, s.MaxWeight, 1e-15);
        // ESS = 1 / (4/9 + 1/9) = 9/5.
        Assert.Equal(1.8, s.EffectiveSampleSize, 1e-14);
        Assert.Equal(0.8, s.LossSpread, 1e-15);
    }

    [Fact]
    public void CvarWithIntegerAlphaNHasNoFractionalSliver()
    {
        // αn = 2: 0.5 each on the two largest.
        AssertWeights([0, 0.5, 0, 0.5, 0], DroWeights.Compute([0.1, 0.5, 0.3, 0.9, 0.2], DroSet.Cvar, 0.4), 1e-15);
        // 0.3·10 is 3.0000000000000004 in doubles; still exactly 1/3 on the top three and nothing on the fourth.
        double[] q = DroWeights.Compute([9.0, 8, 7, 6, 5, 4, 3, 2, 1, 0], DroSet.Cvar, 0.3);
        AssertWeights([1 / 3.0, 1 / 3.0, 1 / 3.0, 0, 0, 0, 0, 0, 0, 0], q, 1e-15);
        Assert.Equal(0, q[3]);
    }

    [Fact]
    public void CvarSplitsLossesTiedAcrossTheBoundaryEvenly()
    {
        // αn = 1 would put all mass on one of the two tied 2s; they share it.
        AssertWeights([0, 0.5, 0.5, 0], DroWeights.Compute([1.0, 2.0, 2.0, 0.0], DroSet.Cvar, 0.25), 0);
    }

    [Theory]
    [InlineData(DroSet.Kl, 0.0)]
    [InlineData(DroSet.ChiSquare, 0.0)]
    [InlineData(DroSet.Cvar, 1.0)]
    public void SizeThatAdmitsOnlyUniformGivesUniform(DroSet set, double size)
    {
        double[] q = DroWeights.Compute([0.3, -1.0, 2.5, 0.7], set, size);
        AssertWeights([0.25, 0.25, 0.25, 0.25], q, 1e-15);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void KlRadiusAtLeastLogNPutsAllMassOnTheLargestLoss(double beyond)
    {
        var rng = new Random(3);
        double[] losses = RandomLosses(rng, 9);
        int argmax = Array.IndexOf(losses, losses.Max());
        DroSolution s = DroWeights.Solve(losses, DroSet.Kl, Math.Log(9) + beyond);

        AssertWeights(Enumerable.Range(0, 9).Select(k => k == argmax ? 1.0 : 0).ToArray(), s.Weights, 0);
        Assert.Equal(0, s.Temperature);
        Assert.Equal(1, s.EffectiveSampleSize);
        Assert.Equal(losses.Max(), s.WorstCaseValue, 1e-15);
    }

    [Fact]
    public void KlRadiusAtTheTiedMaximumSplitsTheMassBetweenTheTies()
    {
        // Two of three tied at the top: KL can reach at most log(3/2); from there on q = (0, ½, ½).
        AssertWeights([0, 0.5, 0.5], DroWeights.Compute([1.0, 3.0, 3.0], DroSet.Kl, Math.Log(1.5)), 0);
        AssertWeights([0, 0.5, 0.5], DroWeights.Compute([1.0, 3.0, 3.0], DroSet.Kl, Math.Log(3)), 0);
        // Just below it the bisection still meets the radius.
        DroSolution s = DroWeights.Solve([1.0, 3.0, 3.0], DroSet.Kl, Math.Log(1.5) - 1e-3);
        Assert.Equal(Math.Log(1.5) - 1e-3, s.KlFromUniform, 1e-9);
        Assert.Equal(s.Weights[1], s.Weights[2]);
    }

    [Theory]
    [InlineData(DroSet.Kl, 0.2)]
    [InlineData(DroSet.KlPenalized, 0.5)]
    [InlineData(DroSet.ChiSquare, 0.2)]
    [InlineData(DroSet.Cvar, 0.3)]
    public void EqualLossesAndASingleLossGetUniformWeights(DroSet set, double size)
    {
        AssertWeights([0.2, 0.2, 0.2, 0.2, 0.2], DroWeights.Compute([1.5, 1.5, 1.5, 1.5, 1.5], set, size), 1e-15);
        AssertWeights([1.0], DroWeights.Compute([-3.0], set, size), 0);
        AssertWeights([0.5, 0.5], DroWeights.Compute([0.0, 0.0], set, size), 0);
    }

    [Theory]
    [InlineData(DroSet.Kl, 0.3)]
    [InlineData(DroSet.ChiSquare, 0.3)]
    [InlineData(DroSet.ChiSquare, 1.5)]
    [InlineData(DroSet.Cvar, 0.35)]
    public void HugeAndTinyLossesGiveTheWeightsOfTheirScaledCopy(DroSet set, double size)
    {
        var rng = new Random(5);
        double[] losses = RandomLosses(rng, 12);
        double[] reference = DroWeights.Compute(losses, set, size);
        foreach (double scale in new[] { 1e300, 1e-300 })
        {
            double[] scaled = losses.Select(l => l * scale).ToArray();
            AssertWeights(reference, DroWeights.Compute(scaled, set, size), 1e-10);
        }
        // Shifting every loss by a constant changes nothing either (ℓ − max ℓ inside the exponent; η shifts along).
        double[] shifted = losses.Select(l => l + 1e3).ToArray();
        AssertWeights(reference, DroWeights.Compute(shifted, set, size), 1e-9);
        // The penalized temperature scales with the losses.
        double[] penalized = DroWeights.Compute(losses, DroSet.KlPenalized, 0.7);
        AssertWeights(penalized, DroWeights.Compute(losses.Select(l => l * 1e300).ToArray(), DroSet.KlPenalized, 0.7e300), 1e-10);
    }

    [Theory]
    [InlineData(DroSet.Kl)]
    [InlineData(DroSet.ChiSquare)]
    public void ConstraintIsTightAtTheSolutionOnRandomInputs(DroSet set)
    {
        var rng = new Random(set == DroSet.Kl ? 11 : 12);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = rng.Next(2, 300);
            double[] losses = RandomLosses(rng, n, Math.Pow(10, rng.Next(-4, 5)));
            // Radii up to just below where the set stops binding: log n for KL, (n − 1)/2 for χ² (no ties here).
            double cap = set == DroSet.Kl ? Math.Log(n) : (n - 1) / 2.0;
            double rho = cap * Math.Pow(rng.NextDouble(), 3) * 0.999;
            DroSolution s = DroWeights.Solve(losses, set, rho);

            double divergence = set == DroSet.Kl ? s.KlFromUniform : s.ChiSquareFromUniform;
            Assert.True(Math.Abs(divergence - rho) <= 1e-6, $"trial {trial}: n = {n}, ρ = {rho}, divergence {divergence}");
            AssertMonotoneAndNormalized(losses, s.Weights, $"trial {trial}");
            double scale = losses.Max(Math.Abs);
            Assert.True(Math.Abs(s.DualValue - s.WorstCaseValue) <= 1e-6 * scale,
                $"trial {trial}: dual {s.DualValue} vs primal {s.WorstCaseValue}");
            // The worst case beats the uniform average, and never the largest loss.
            Assert.InRange(s.WorstCaseValue, losses.Average() - 1e-12 * scale, losses.Max() + 1e-12 * scale);
        }
    }

    [Theory]
    [InlineData(DroSet.Kl, 0.4)]
    [InlineData(DroSet.KlPenalized, 0.3)]
    [InlineData(DroSet.ChiSquare, 0.4)]
    [InlineData(DroSet.Cvar, 0.15)]
    public void WeightsAreMonotoneAndSumToOneOnRandomInputsWithTies(DroSet set, double size)
    {
        var rng = new Random(17);
        for (int trial = 0; trial < 100; trial++)
        {
            int n = rng.Next(1, 80);
            // Losses on a coarse grid, so that many tie.
            double[] losses = Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextDouble() * 6) / 4 - 0.5).ToArray();
            AssertMonotoneAndNormalized(losses, DroWeights.Compute(losses, set, size), $"trial {trial}");
        }
    }

    [Theory]
    [InlineData(DroSet.Kl, "kl", 0.25)]
    [InlineData(DroSet.Kl, "kl", 2.5)]
    [InlineData(DroSet.KlPenalized, "kl_penalized", 0.3)]
    [InlineData(DroSet.ChiSquare, "chi_square", 0.1)]
    [InlineData(DroSet.ChiSquare, "chi_square", 4.0)]
    [InlineData(DroSet.Cvar, "cvar", 0.27)]
    public void WeightsMatchAnIndependentPyTorchSolver(DroSet set, string name, double size)
    {
        var rng = new Random(23);
        double[] losses = RandomLosses(rng, 37);
        var expected = PyTorchReference.Run("drto.py", new JsonObject
        {
            ["mode"] = "weights",
            ["losses"] = new JsonArray(losses.Select(l => (JsonNode)l).ToArray()),
            ["set"] = name,
            ["size"] = size,
        });

        DroSolution s = DroWeights.Solve(losses, set, size);
        AssertWeights(PyTorchReference.Doubles(expected["weights"]), s.Weights, 1e-9);
        Assert.Equal(expected["worst_case"]!.GetValue<double>(), s.WorstCaseValue, 1e-9);
    }

    [Fact]
    public void InvalidInputThrowsNamingTheArgument()
    {
        Assert.Equal("losses", Assert.Throws<ArgumentException>(() => DroWeights.Compute([], DroSet.Kl, 0.1)).ParamName);
        Assert.Equal("losses", Assert.Throws<ArgumentException>(() => DroWeights.Compute([1.0, double.NaN], DroSet.Kl, 0.1)).ParamName);
        Assert.Equal("losses", Assert.Throws<ArgumentException>(() => DroWeights.Compute([double.PositiveInfinity], DroSet.Cvar, 0.5)).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => DroWeights.Compute([1.0, 2.0], DroSet.Kl, -0.1)).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => DroWeights.Compute([1.0, 2.0], DroSet.ChiSquare, double.NaN)).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => DroWeights.Compute([1.0, 2.0], DroSet.KlPenalized, 0)).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => DroWeights.Compute([1.0, 2.0], DroSet.Cvar, 0)).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => DroWeights.Compute([1.0, 2.0], DroSet.Cvar, 1.5)).ParamName);
        Assert.Equal("set", Assert.Throws<ArgumentOutOfRangeException>(() => DroWeights.Compute([1.0, 2.0], (DroSet)42, 0.1)).ParamName);
    }
}
