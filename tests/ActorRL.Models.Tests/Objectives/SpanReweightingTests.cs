using System.Text.Json.Nodes;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

/// <summary>The DRTO actor loss Σ_k q_k ℓ_k over span losses (OBJECTIVES.md, "DRTO", steps 2–4).</summary>
public class SpanReweightingTests
{
    private static readonly string[] DeviceNames = Torch.CudaIsAvailable ? ["cpu", "cuda"] : ["cpu"];

    // Two rows of four tokens, the last of each padding (NaN there must not leak): spans {1, 3} {5} and {0, 1, 2},
    // so ℓ_k = (2, 5, 1).
    private static readonly double[] HandLosses = [1, 3, 5, double.NaN, 0, 1, 2, double.NaN];
    private static readonly long[] HandIds = [0, 0, 1, -1, 2, 2, 2, -1];

    private static void AssertRelative(double[] expected, double[] actual, double relative, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = relative * Math.Abs(expected[i]) + 1e-12;
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}]: {actual[i]} vs PyTorch {expected[i]}");
        }
    }

    private static JsonArray Json(IEnumerable<double> values) => new(values.Select(v => (JsonNode)v).ToArray());

    private static DrtoOptions Options(DroSet set, double size) => set switch
    {
        DroSet.Kl or DroSet.ChiSquare => new DrtoOptions { Set = set, Radius = size },
        DroSet.KlPenalized => new DrtoOptions { Set = set, Temperature = size },
        _ => new DrtoOptions { Set = set, CvarAlpha = size },
    };

    [Fact]
    public void CvarLossAndGradientByHand()
    {
        using var scope = new DisposeScope();
        var losses = Torch.From<double>(HandLosses, [2, 4], requiresGrad: true);
        // α = 2/3, n = 3: αn = 2, so ½ on each of the two largest span losses, 5 and 2; loss = ½·2 + ½·5 = 3.5.
        SpanReweightedLoss result = SpanReweighting.Loss(losses, Torch.From<long>(HandIds, [2, 4]), 3, DroSet.Cvar, 2 / 3.0);
        result.Loss.Backward();

        Assert.Equal([2.0, 5.0, 1.0], result.SpanLosses.ToArray<double>());
        Assert.Equal([0.5, 0.5, 0.0], result.Solution.Weights);
        Assert.Equal(3.5, result.Loss.ToDouble(), 1e-15);
        // dL/dℓ_t = q_k / |k|: ½/2 for the two tokens of span 0, ½ for span 1, 0 for span 2 and the padding.
        Assert.Equal([0.25, 0.25, 0.5, 0, 0, 0, 0, 0], losses.Grad!.ToArray<double>());
        // Reported: threshold (VaR) 2, max weight ½, ESS 2, spread 5 − 1.
        Assert.Equal(2.0, result.Solution.Threshold);
        Assert.Equal(0.5, result.Solution.MaxWeight);
        Assert.Equal(2.0, result.Solution.EffectiveSampleSize, 1e-15);
        Assert.Equal(4.0, result.Solution.LossSpread);
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void KlPenalizedLossAndGradientByHand(string device)
    {
        using var scope = new DisposeScope();
        var losses = Torch.From<double>(HandLosses, [2, 4], Device.Parse(device), requiresGrad: true);
        SpanReweightedLoss result = SpanReweighting.Loss(losses, Torch.From<long>(HandIds, [2, 4]), 3, DroSet.KlPenalized, 1.0);
        result.Loss.Backward();

        // q = softmax(2, 5, 1) at τ = 1.
        double z = Math.Exp(2) + Math.Exp(5) + Math.Exp(1);
        double[] q = [Math.Exp(2) / z, Math.Exp(5) / z, Math.Exp(1) / z];
        Assert.Equal(q[0] * 2 + q[1] * 5 + q[2] * 1, result.Loss.ToDouble(), 1e-14);
        double[] grad = losses.Grad!.ToArray<double>();
        double[] expected = [q[0] / 2, q[0] / 2, q[1], 0, q[2] / 3, q[2] / 3, q[2] / 3, 0];
        for (int t = 0; t < expected.Length; t++) Assert.Equal(expected[t], grad[t], 1e-15);
        Assert.Equal(1.0, result.Solution.Temperature);
    }

    [Theory]
    [InlineData(DroSet.Kl, "kl", 0.3)]
    [InlineData(DroSet.Kl, "kl", 1.2)]
    [InlineData(DroSet.KlPenalized, "kl_penalized", 0.05)]
    [InlineData(DroSet.ChiSquare, "chi_square", 0.2)]
    [InlineData(DroSet.ChiSquare, "chi_square", 3.0)]
    [InlineData(DroSet.Cvar, "cvar", 0.3)]
    public void LossWeightsAndGradientsMatchPyTorchAutograd(DroSet set, string name, double size)
    {
        const int rows = 4, columns = 23;
        const double eps = 0.2;
        HashSet<int> boundaries = [3, 7];
        const int maxSpanLength = 5;
        var rng = new Random(31);
        long[] tokens = Enumerable.Range(0, rows * columns).Select(_ => (long)rng.Next(0, 16)).ToArray();
        var mask = new bool[rows * columns];
        for (int b = 0; b < rows; b++)
        {
            // A prompt of 0–3 tokens, then a response of random length, then padding (row 0 runs to the end).
            int prompt = rng.Next(0, 4);
            int length = b == 0 ? columns - prompt : rng.Next(1, columns - prompt);
            for (int t = prompt; t < prompt + length; t++) mask[b * columns + t] = true;
        }
        double[] old = Enumerable.Range(0, rows * columns).Select(_ => -0.1 - 3 * rng.NextDouble()).ToArray();
        double[] theta = old.Select(o => o + 0.6 * (rng.NextDouble() - 0.5)).ToArray();
        double[] advantages = Enumerable.Range(0, rows * columns).Select(_ => 2 * rng.NextDouble() - 1).ToArray();

        var expected = PyTorchReference.Run("drto.py", new JsonObject
        {
            ["mode"] = "loss",
            ["rows"] = rows,
            ["columns"] = columns,
            ["theta"] = Json(theta),
            ["old"] = Json(old),
            ["advantages"] = Json(advantages),
            ["tokens"] = PyTorchReference.Json(tokens),
            ["mask"] = new JsonArray(mask.Select(m => (JsonNode)m).ToArray()),
            ["eps"] = eps,
            ["boundaries"] = new JsonArray(boundaries.Select(v => (JsonNode)v).ToArray()),
            ["max_span_length"] = maxSpanLength,
            ["set"] = name,
            ["size"] = size,
        });
        DrtoOptions options = Options(set, size) with { SpanBoundaryTokens = [.. boundaries], MaxSpanLength = maxSpanLength };
        Assert.Equal(size, options.Size);

        foreach (string deviceName in DeviceNames)
        {
            using var scope = new DisposeScope();
            Device device = Device.Parse(deviceName);
            SpanIds spans = Spans.Assign(Torch.From<long>(tokens, [rows, columns], device), Torch.From<bool>(mask, [rows, columns], device), options);
            Assert.Equal(PyTorchReference.Doubles(expected["span_ids"]).Select(v => (long)v).ToArray(), spans.Ids);

            // ℓ_t = −min(ρ_t A_t, clip(ρ_t, 1 − ε, 1 + ε) A_t), differentiated back to θ = log π_θ.
            var thetaTensor = Torch.From<double>(theta, [rows, columns], device, requiresGrad: true);
            var adv = Torch.From<double>(advantages, [rows, columns], device);
            var ratio = (thetaTensor - Torch.From<double>(old, [rows, columns], device)).Exp();
            var tokenLosses = -(ratio * adv).Minimum(ratio.Clamp(1 - eps, 1 + eps) * adv);
            SpanReweightedLoss result = SpanReweighting.Loss(tokenLosses, spans, options);
            result.Loss.Backward();

            AssertRelative([expected["loss"]!.GetValue<double>()], [result.Loss.ToDouble()], 1e-6, $"{deviceName} loss");
            AssertRelative(PyTorchReference.Doubles(expected["span_losses"]), result.SpanLosses.ToArray<double>(), 1e-6, $"{deviceName} span losses");
            AssertRelative(PyTorchReference.Doubles(expected["weights"]), result.Solution.Weights, 1e-6, $"{deviceName} weights");
            AssertRelative(PyTorchReference.Doubles(expected["grad_theta"]), thetaTensor.Grad!.ToArray<double>(), 1e-6, $"{deviceName} dL/dθ");

            // The same with the per-token losses as the leaf: dL/dℓ_t = q_k / |k|, 0 outside spans.
            var leaf = tokenLosses.Detach().Clone().RequiresGradInPlace();
            SpanReweighting.Loss(leaf, spans, options).Loss.Backward();
            AssertRelative(PyTorchReference.Doubles(expected["grad_token_losses"]), leaf.Grad!.ToArray<double>(), 1e-6, $"{deviceName} dL/dℓ_t");
        }
    }

    [Theory]
    [InlineData(DroSet.Kl, 0.5)]
    [InlineData(DroSet.ChiSquare, 0.5)]
    [InlineData(DroSet.Cvar, 0.25)]
    public void MicroBatchesWeighedOnceOverTheMinibatchSumToTheMinibatchGradient(DroSet set, double size)
    {
        // The recipe in SpanReweighting's remarks: span losses of every micro-batch without gradients, one solve over all
        // of them, then each micro-batch's weighted loss with its slice of q. It must reproduce the one-shot minibatch.
        const int rows = 6, columns = 11, half = 3;
        var rng = new Random(41);
        long[] tokens = Enumerable.Range(0, rows * columns).Select(_ => (long)rng.Next(0, 12)).ToArray();
        bool[] mask = Enumerable.Range(0, rows * columns).Select(i => i % columns < columns - i / columns).ToArray();
        double[] theta = Enumerable.Range(0, rows * columns).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        DrtoOptions options = Options(set, size) with { SpanBoundaryTokens = [5], MaxSpanLength = 4 };

        using var scope = new DisposeScope();
        var parameters = Torch.From<double>(theta, [rows, columns], requiresGrad: true);
        // A per-token loss with a non-trivial graph back to the parameters.
        Tensor TokenLosses(Tensor p) => (p * 1.5).Tanh() * p;
        var allTokens = Torch.From<long>(tokens, [rows, columns]);
        var allMask = Torch.From<bool>(mask, [rows, columns]);

        SpanReweightedLoss whole = SpanReweighting.Loss(TokenLosses(parameters), Spans.Assign(allTokens, allMask, options), options);
        whole.Loss.Backward();
        double[] expected = parameters.Grad!.ToArray<double>();
        parameters.ZeroGrad();

        SpanIds first = Spans.Assign(allTokens.Narrow(0, 0, half), allMask.Narrow(0, 0, half), options);
        SpanIds second = Spans.Assign(allTokens.Narrow(0, half, rows - half), allMask.Narrow(0, half, rows - half), options);
        double[] detached;
        using (NoGradScope.Enter())
        {
            detached =
            [
                .. SpanReweighting.SpanLosses(TokenLosses(parameters.Narrow(0, 0, half)), first.ToTensor(), first.Count).ToArray<double>(),
                .. SpanReweighting.SpanLosses(TokenLosses(parameters.Narrow(0, half, rows - half)), second.ToTensor(), second.Count).ToArray<double>(),
            ];
        }
        double[] q = DroWeights.Compute(detached, options.Set, options.Size);
        var lossFirst = SpanReweighting.WeightedLoss(
            SpanReweighting.SpanLosses(TokenLosses(parameters.Narrow(0, 0, half)), first.ToTensor(), first.Count), q.AsSpan(0, first.Count));
        lossFirst.Backward();
        var lossSecond = SpanReweighting.WeightedLoss(
            SpanReweighting.SpanLosses(TokenLosses(parameters.Narrow(0, half, rows - half)), second.ToTensor(), second.Count), q.AsSpan(first.Count));
        lossSecond.Backward();

        Assert.Equal(whole.Solution.Weights.Length, q.Length);
        Assert.Equal(whole.Loss.ToDouble(), lossFirst.ToDouble() + lossSecond.ToDouble(), 1e-13);
        double[] actual = parameters.Grad!.ToArray<double>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-13);
    }

    [Fact]
    public void InvalidSpansAreRefusedNamingTheArgument()
    {
        using var scope = new DisposeScope();
        var losses = Torch.From<double>([1.0, 2.0, 3.0, 4.0], [2, 2], requiresGrad: true);
        var ids = Torch.From<long>([0, 0, 1, 1], [2, 2]);
        // An id at or beyond the count, a span with no token, a shape or dtype that does not match.
        Assert.Equal("spanIds", Assert.Throws<ArgumentException>(() => SpanReweighting.Loss(losses, ids, 1, DroSet.Kl, 0.1)).ParamName);
        Assert.Equal("spanIds", Assert.Throws<ArgumentException>(() => SpanReweighting.Loss(losses, ids, 3, DroSet.Kl, 0.1)).ParamName);
        Assert.Equal("spanIds", Assert.Throws<ArgumentException>(
            () => SpanReweighting.Loss(losses, Torch.From<long>([0, 0, 1, 1]), 2, DroSet.Kl, 0.1)).ParamName);
        Assert.Equal("spanIds", Assert.Throws<ArgumentException>(
            () => SpanReweighting.Loss(losses, Torch.From<int>([0, 0, 1, 1], [2, 2]), 2, DroSet.Kl, 0.1)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(
            () => SpanReweighting.WeightedLoss(Torch.From<double>([1.0, 2.0]), [1.0])).ParamName);
        // A NaN inside a span is a NaN span loss: refused rather than turned into NaN weights.
        var nan = Torch.From<double>([1.0, double.NaN, 3.0, 4.0], [2, 2]);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => SpanReweighting.Loss(nan, ids, 2, DroSet.Kl, 0.1)).Message);
        // A radius out of range, from the options' size.
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => SpanReweighting.Loss(losses, ids, 2, DroSet.ChiSquare, -1)).ParamName);
    }
}
