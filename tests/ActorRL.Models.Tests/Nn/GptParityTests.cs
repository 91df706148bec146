using System.Text.Json.Nodes;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;
using ActorRL.Models.Tests.Checkpoints;

namespace ActorRL.Models.Tests.Nn;

/// <summary>
/// The C# GPT against the same architecture in PyTorch (Reference/gpt.py) on the same weights, passed
/// through a safetensors file: logits, per-token log-probabilities, values, rewards and every gradient.
/// </summary>
public class GptParityTests
{
    private static readonly GptConfig Config = new(VocabSize: 37, ContextLength: 12, Layers: 2, Heads: 2, Width: 16);

    // A right-padded row, a left-padded row and a full row: masking and positions are exercised too.
    private static readonly long[] Ids = [5, 9, 2, 30, 11, 0, 0, 0, 0, 0, 7, 8, 3, 1, 36, 4, 4, 20, 22, 6, 13, 35, 2, 19, 27, 8, 14, 3, 16, 10];
    private static readonly long[] Mask = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    private const int Batch = 3, Length = 10;

    /// <summary>Replaces the small GPT-2 initialization by values of order one, so that a tolerance of 1e-5 is demanding.</summary>
    private static void Randomize(Module model, ulong seed)
    {
        TorchRandom.ManualSeed(seed);
        using var scope = new DisposeScope();
        using var noGrad = NoGradScope.Enter();
        foreach (var (name, p) in model.NamedParameters())
        {
            Tensor noise = Torch.Randn(p.Shape) * (name.Contains("ln_") ? 0.2 : 0.5);
            p.CopyInPlace(name.EndsWith("ln_1.weight") || name.EndsWith("ln_2.weight") || name.EndsWith("ln_f.weight") ? noise + 1 : noise);
        }
    }

    private static JsonObject Request(string model, string weights) => new()
    {
        ["model"] = model,
        ["weights"] = weights,
        ["config"] = new JsonObject { ["width"] = Config.Width, ["heads"] = Config.Heads, ["layers"] = Config.Layers },
        ["batch"] = Batch,
        ["length"] = Length,
        ["ids"] = PyTorchReference.Json(Ids),
        ["mask"] = PyTorchReference.Json(Mask),
    };

    [Fact]
    public void PolicyLogitsLogProbsValuesAndAllGradientsMatchPyTorch()
    {
        using var dir = new TemporaryDirectory();
        using var model = new CausalLM(Config, withValueHead: true);
        Randomize(model, 21);
        string weights = dir.Combine("policy.safetensors");
        Safetensors.Write(weights, model.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor));
        var expected = PyTorchReference.Run("gpt.py", Request("policy", weights));

        using var scope = new DisposeScope();
        var ids = Torch.From<long>(Ids, [Batch, Length]);
        var mask = Torch.From<long>(Mask, [Batch, Length]);
        var (logits, values) = model.ForwardWithValues(ids, mask);
        var scores = Scoring.FromLogits(logits, ids);
        var targetMask = mask.Narrow(1, 1, Length - 1).To(ScalarType.Float32);
        var maskF = mask.To(ScalarType.Float32);
        var loss = -(scores.LogProbs * targetMask).Sum() / targetMask.Sum() + 0.1 * (values * maskF).Pow(2).Sum() / maskF.Sum();
        loss.Backward();

        Assert.Equal(expected["loss"]!.GetValue<double>(), loss.ToDouble(), 1e-5);
        PyTorchReference.AssertClose(PyTorchReference.Doubles(expected["logits"]), logits.ToArray<float>(), 1e-5, "logits");
        PyTorchReference.AssertClose(PyTorchReference.Doubles(expected["logprobs"]), scores.LogProbs.ToArray<float>(), 1e-5, "log-probs");
        PyTorchReference.AssertClose(PyTorchReference.Doubles(expected["values"]), values.ToArray<float>(), 1e-5, "values");
        AssertGradients(model, expected["grads"]!.AsObject());
    }

    [Fact]
    public void RewardsAtTheLastRealTokenAndAllGradientsMatchPyTorch()
    {
        using var dir = new TemporaryDirectory();
        using var model = new RewardModel(Config);
        Randomize(model, 22);
        string weights = dir.Combine("reward.safetensors");
        Safetensors.Write(weights, model.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor));
        var request = Request("reward", weights);
        float[] rewardWeights = [1.0f, -2.0f, 0.5f];
        request["reward_weights"] = PyTorchReference.Json(rewardWeights);
        var expected = PyTorchReference.Run("gpt.py", request);

        using var scope = new DisposeScope();
        var rewards = model.Forward(Torch.From<long>(Ids, [Batch, Length]), Torch.From<long>(Mask, [Batch, Length]));
        (rewards * Torch.From<float>(rewardWeights)).Sum().Backward();

        PyTorchReference.AssertClose(PyTorchReference.Doubles(expected["rewards"]), rewards.ToArray<float>(), 1e-5, "rewards");
        AssertGradients(model, expected["grads"]!.AsObject());
    }

    private static void AssertGradients(Module model, JsonObject expected)
    {
        var named = model.NamedParameters();
        Assert.Equal(expected.Count, named.Count);
        double largest = 0;
        foreach (var (name, p) in named)
        {
            float[] grad = p.Grad!.ToArray<float>();
            PyTorchReference.AssertClose(PyTorchReference.Doubles(expected[name]), grad, 1e-5, "grad " + name);
            largest = Math.Max(largest, grad.Max(Math.Abs));
        }
        Assert.True(largest > 1e-2, $"gradients are too small ({largest}) for the comparison to mean anything");
    }
}
