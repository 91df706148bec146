using System.Text.Json.Nodes;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

/// <summary>
/// A whole PPO update on one random batch — KL-penalized token rewards, GAE, whitening, and the loss of actor, critic
/// and entropy bonus through a log-softmax over logits — against Reference/ppo.py, written plainly in PyTorch.
/// </summary>
public class PpoGradientParityTests
{
    private const int Rows = 5, Width = 7, Vocabulary = 6;
    private const double Relative = 1e-6;

    [Theory]
    [InlineData(MaskedReduction.SequenceMean, KlEstimator.K1, false)]
    [InlineData(MaskedReduction.TokenMean, KlEstimator.K3, true)]
    [InlineData(MaskedReduction.SequenceMean, KlEstimator.K2, true)]
    public void LossAndGradientsMatchPyTorchAutograd(MaskedReduction reduction, KlEstimator estimator, bool unbiased)
    {
        var rng = new Random(23 + (int)estimator);
        double[] Uniform(int count, double low, double high) => Enumerable.Range(0, count).Select(_ => low + (high - low) * rng.NextDouble()).ToArray();
        long[] shape = [Rows, Width];
        double[] logits = Uniform(Rows * Width * Vocabulary, -2, 2);
        long[] actions = Enumerable.Range(0, Rows * Width).Select(_ => (long)rng.Next(Vocabulary)).ToArray();
        bool[] mask =
        [
            true, true, true, true, true, true, true,
            true, true, true, true, false, false, false,
            false, false, true, true, true, true, true,     // prompt positions first
            true, true, false, true, true, true, false,     // a masked position inside the response
            true, false, false, false, false, false, false,
        ];
        var options = new PpoOptions
        {
            Gamma = 0.99,
            Lambda = 0.95,
            KlCoefficient = 0.05,
            KlEstimator = estimator,
            ClipEpsilon = 0.2,
            ValueClip = 0.2,
            ValueCoefficient = 0.5,
            EntropyCoefficient = 0.01,
        };

        using var scope = new DisposeScope();
        var logitsLeaf = Torch.From<double>(logits, [Rows, Width, Vocabulary], requiresGrad: true);
        var actionIndex = Torch.From<long>(actions, [Rows, Width, 1]);
        var logSoftmax = logitsLeaf.LogSoftmax(-1);
        var logp = logSoftmax.Gather(2, actionIndex).Squeeze(-1);
        var entropies = -(logSoftmax.Exp() * logSoftmax).Sum(-1);
        double[] current = logp.ToArray<double>();
        // Ratios between e^−0.5 and e^0.5, so that some tokens clip and some do not.
        double[] oldLogp = current.Select(l => l + (rng.NextDouble() - 0.5)).ToArray();
        double[] refLogp = oldLogp.Select(l => l + 0.8 * (rng.NextDouble() - 0.5)).ToArray();
        double[] oldValues = Uniform(Rows * Width, -1, 1);
        double[] values = oldValues.Select(v => v + 0.8 * (rng.NextDouble() - 0.5)).ToArray();
        double[] sequenceRewards = Uniform(Rows, -2, 2);

        var expected = PyTorchReference.Run("ppo.py", new JsonObject
        {
            ["b"] = Rows,
            ["t"] = Width,
            ["v"] = Vocabulary,
            ["logits"] = Json(logits),
            ["actions"] = PyTorchReference.Json(actions),
            ["old_logp"] = Json(oldLogp),
            ["ref_logp"] = Json(refLogp),
            ["old_values"] = Json(oldValues),
            ["values"] = Json(values),
            ["seq_reward"] = Json(sequenceRewards),
            ["mask"] = Json(mask.Select(m => m ? 1.0 : 0.0).ToArray()),
            ["gamma"] = options.Gamma,
            ["lambda"] = options.Lambda,
            ["beta"] = options.KlCoefficient,
            ["kl"] = estimator.ToString().ToLowerInvariant(),
            ["unbiased"] = unbiased,
            ["clip"] = options.ClipEpsilon,
            ["value_clip"] = options.ValueClip,
            ["vf_coef"] = options.ValueCoefficient,
            ["ent_coef"] = options.EntropyCoefficient,
            ["reduction"] = reduction == MaskedReduction.TokenMean ? "token" : "sequence",
        });

        var maskTensor = Torch.From<bool>(mask, shape);
        var oldLogpTensor = Torch.From<double>(oldLogp, shape);
        var oldValuesTensor = Torch.From<double>(oldValues, shape);
        var rewards = KlPenalizedReward.Compute(oldLogpTensor, Torch.From<double>(refLogp, shape), Torch.From<double>(sequenceRewards), maskTensor,
            options.KlCoefficient, options.KlEstimator);
        var (advantages, returns) = Gae.Compute(rewards, oldValuesTensor, maskTensor, options.Gamma, options.Lambda);
        var whitened = Whitening.Whiten(advantages, maskTensor, unbiased);
        AssertClose(expected["rewards"], rewards, "token rewards");
        AssertClose(expected["advantages"], advantages, "advantages");
        AssertClose(expected["returns"], returns, "returns");
        AssertClose(expected["whitened"], whitened, "whitened advantages");

        var batch = new PpoBatch(oldLogpTensor, whitened, oldValuesTensor, returns, maskTensor);
        var normalizer = MaskedNormalizer.For(maskTensor, reduction);
        var valuesLeaf = Torch.From<double>(values, shape, requiresGrad: true);
        var loss = Ppo.Loss(logp, valuesLeaf, entropies, batch, options, normalizer);
        AssertClose(expected["actor"], loss.Actor, "actor loss");
        AssertClose(expected["value"], loss.Value, "value loss");
        AssertClose(expected["entropy_mean"], loss.Entropy!, "entropy");
        AssertClose(expected["total"], loss.Total, "total loss");
        Assert.Equal(expected["clip_fraction"]!.GetValue<double>(), loss.Diagnostics.ClipFraction, 12);
        Assert.InRange(loss.Diagnostics.ClipFraction, 0.05, 0.95);
        Assert.Equal(expected["approx_kl"]!.GetValue<double>(), loss.Diagnostics.ApproxKl, 12);
        Assert.Equal(expected["mean_ratio"]!.GetValue<double>(), loss.Diagnostics.MeanRatio, 12);
        loss.Total.Backward();
        AssertClose(expected["grad_logits"], logitsLeaf.Grad!, "d total / d logits");
        AssertClose(expected["grad_values"], valuesLeaf.Grad!, "d total / d values");

        // The same loss from leaf log-probabilities and entropies: their gradients are PyTorch's retained ones.
        var logpLeaf = logp.Detach().Clone().RequiresGradInPlace();
        var entropyLeaf = entropies.Detach().Clone().RequiresGradInPlace();
        valuesLeaf.ZeroGrad();
        Ppo.Loss(logpLeaf, valuesLeaf, entropyLeaf, batch, options, normalizer).Total.Backward();
        AssertClose(expected["grad_logp"], logpLeaf.Grad!, "d total / d log-probs");
        AssertClose(expected["grad_entropy"], entropyLeaf.Grad!, "d total / d entropies");
        AssertClose(expected["grad_values"], valuesLeaf.Grad!, "d total / d values (leaf log-probs)");
    }

    private static JsonArray Json(double[] values)
    {
        var array = new JsonArray();
        foreach (double v in values) array.Add(v);
        return array;
    }

    /// <summary>|actual − expected| ≤ 1e-6 · |expected|, with an absolute floor of 1e-12 for exact zeros.</summary>
    private static void AssertClose(JsonNode? expected, Tensor actual, string what)
    {
        double[] e = expected is JsonArray ? PyTorchReference.Doubles(expected) : [expected!.GetValue<double>()];
        double[] a = actual.ToArray<double>();
        Assert.True(e.Length == a.Length, $"{what}: {a.Length} values, PyTorch has {e.Length}");
        Assert.Contains(e, x => x != 0);
        for (int i = 0; i < e.Length; i++)
        {
            double diff = Math.Abs(e[i] - a[i]);
            Assert.True(diff <= Relative * Math.Abs(e[i]) + 1e-12, $"{what}[{i}]: {a[i]} vs PyTorch {e[i]} (|diff| {diff:E2})");
        }
    }
}
