using System.Text.Json.Nodes;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

/// <summary>
/// DPO, conservative DPO and ROPO losses and their gradients w.r.t. the policy's token log-probabilities (through the
/// masked sequence sums) against PyTorch autograd on the same random batch (Reference/preference.py), float64 on both sides.
/// </summary>
public class DpoGradientParityTests
{
    private const int Batch = 6, Tokens = 7;
    private const double Beta = 0.5, LabelSmoothing = 0.15, Alpha = 14;
    private const double RelativeTolerance = 1e-6;

    private sealed record PreferenceBatch(double[] PolicyChosen, double[] PolicyRejected, double[] ReferenceChosen, double[] ReferenceRejected,
        bool[] MaskChosen, bool[] MaskRejected, double[] Weights);

    private static PreferenceBatch RandomBatch(int seed)
    {
        var rng = new Random(seed);
        double[] Logps() => Enumerable.Range(0, Batch * Tokens).Select(_ => -0.01 - 4 * rng.NextDouble()).ToArray();
        // The reference differs from the policy by up to ±3 nats per token, so βΔ spreads over a few units either side
        // of 0: the region where ROPO's weight differs most from DPO's.
        double[] Near(double[] policy) => policy.Select(v => v + 3 * (2 * rng.NextDouble() - 1)).ToArray();
        bool[] Mask()
        {
            // A prompt of 0-2 tokens, then at least one response token, then padding.
            var mask = new bool[Batch * Tokens];
            for (int b = 0; b < Batch; b++)
            {
                int start = rng.Next(0, 3), end = rng.Next(start + 1, Tokens + 1);
                for (int t = start; t < end; t++) mask[b * Tokens + t] = true;
            }
            return mask;
        }
        double[] pc = Logps(), pr = Logps();
        return new PreferenceBatch(pc, pr, Near(pc), Near(pr), Mask(), Mask(), [1, 0, 1, 1, 0, 1]);
    }

    private static JsonArray Json(IEnumerable<double> values) => new([.. values.Select(v => (JsonNode)v)]);

    private static JsonNode Reference(PreferenceBatch batch) => PyTorchReference.Run("preference.py", new JsonObject
    {
        ["batch"] = Batch,
        ["tokens"] = Tokens,
        ["beta"] = Beta,
        ["label_smoothing"] = LabelSmoothing,
        ["alpha"] = Alpha,
        ["policy_chosen"] = Json(batch.PolicyChosen),
        ["policy_rejected"] = Json(batch.PolicyRejected),
        ["reference_chosen"] = Json(batch.ReferenceChosen),
        ["reference_rejected"] = Json(batch.ReferenceRejected),
        ["mask_chosen"] = Json(batch.MaskChosen.Select(m => m ? 1.0 : 0.0)),
        ["mask_rejected"] = Json(batch.MaskRejected.Select(m => m ? 1.0 : 0.0)),
        ["weights"] = Json(batch.Weights),
    });

    private static void AssertRelative(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(expected[i] - actual[i]);
            Assert.True(diff <= RelativeTolerance * Math.Abs(expected[i]) + 1e-15,
                $"{what}[{i}]: {actual[i]} vs PyTorch {expected[i]} (|diff| {diff:E2})");
        }
    }

    [Theory]
    [InlineData("dpo")]
    [InlineData("cdpo")]
    [InlineData("ropo")]
    public void LossAndTokenGradientsMatchPyTorchAutograd(string loss)
    {
        PreferenceBatch batch = RandomBatch(5);
        JsonNode expected = Reference(batch);

        using var scope = new DisposeScope();
        Tensor pc = Torch.From<double>(batch.PolicyChosen, [Batch, Tokens], requiresGrad: true);
        Tensor pr = Torch.From<double>(batch.PolicyRejected, [Batch, Tokens], requiresGrad: true);
        Tensor rc = Torch.From<double>(batch.ReferenceChosen, [Batch, Tokens]);
        Tensor rr = Torch.From<double>(batch.ReferenceRejected, [Batch, Tokens]);
        Tensor mc = Torch.From<bool>(batch.MaskChosen, [Batch, Tokens]);
        Tensor mr = Torch.From<bool>(batch.MaskRejected, [Batch, Tokens]);

        Tensor margins = Dpo.Margins(Dpo.SequenceLogProbs(pc, mc), Dpo.SequenceLogProbs(pr, mr),
            Dpo.SequenceLogProbs(rc, mc), Dpo.SequenceLogProbs(rr, mr));
        Tensor value = loss switch
        {
            "dpo" => Dpo.Loss(margins, new DpoOptions { Beta = Beta }),
            "cdpo" => Dpo.Loss(margins, new DpoOptions { Beta = Beta, LabelSmoothing = LabelSmoothing }),
            _ => Ropo.Loss(margins, new RopoOptions { Beta = Beta, Alpha = Alpha }, Torch.From<double>(batch.Weights)),
        };
        value.Backward();

        double[] expectedMargins = PyTorchReference.Doubles(expected["margins"]);
        AssertRelative(expectedMargins, margins.ToArray<double>(), "margin");
        // The batch must reach both sides of the peak of ROPO's weight, or the test would not tell ROPO from DPO.
        Assert.Contains(expectedMargins, m => Beta * m < -1);
        Assert.Contains(expectedMargins, m => Beta * m > 1);
        AssertRelative([expected[loss]!["loss"]!.GetValue<double>()], [value.ToDouble()], loss + " loss");
        AssertRelative(PyTorchReference.Doubles(expected[loss]!["grad_chosen"]), pc.Grad!.ToArray<double>(), loss + " grad chosen");
        AssertRelative(PyTorchReference.Doubles(expected[loss]!["grad_rejected"]), pr.Grad!.ToArray<double>(), loss + " grad rejected");
    }

    [Fact]
    public void PerPairRopoLossesForFilteringMatchPyTorch()
    {
        PreferenceBatch batch = RandomBatch(9);
        JsonNode expected = Reference(batch);
        double[] margins = PyTorchReference.Doubles(expected["margins"]);

        AssertRelative(PyTorchReference.Doubles(expected["ropo_pairs"]), Ropo.PairLosses(margins, Beta, Alpha), "ropo pair losses");
    }
}
