using System.Text.Json.Nodes;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Tensors;

/// <summary>Values and gradients of the binding compared with PyTorch's on identical inputs.</summary>
public class PyTorchParityTests
{
    private static float[] RandomValues(Random rng, int count, double scale = 1.0) =>
        Enumerable.Range(0, count).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();

    [Fact]
    public void MlpLossAndAllGradientsMatchPyTorchAutograd()
    {
        const int n = 6, inputs = 5, hidden = 8, classes = 4;
        var rng = new Random(7);
        float[] x = RandomValues(rng, n * inputs, 2.0);
        float[] w1 = RandomValues(rng, hidden * inputs, 0.7), b1 = RandomValues(rng, hidden, 0.3);
        float[] lnW = RandomValues(rng, hidden).Select(v => 1 + 0.5f * v).ToArray(), lnB = RandomValues(rng, hidden, 0.2);
        float[] w2 = RandomValues(rng, classes * hidden, 0.7), b2 = RandomValues(rng, classes, 0.3);
        long[] target = [0, 3, 1, 2, 3, 0];

        var expected = PyTorchReference.Run("mlp_grad.py", new JsonObject
        {
            ["n"] = n,
            ["in"] = inputs,
            ["hidden"] = hidden,
            ["classes"] = classes,
            ["x"] = PyTorchReference.Json(x),
            ["w1"] = PyTorchReference.Json(w1),
            ["b1"] = PyTorchReference.Json(b1),
            ["ln_w"] = PyTorchReference.Json(lnW),
            ["ln_b"] = PyTorchReference.Json(lnB),
            ["w2"] = PyTorchReference.Json(w2),
            ["b2"] = PyTorchReference.Json(b2),
            ["target"] = PyTorchReference.Json(target),
        });

        using var scope = new DisposeScope();
        var tx = Torch.From<float>(x, [n, inputs], requiresGrad: true);
        var tw1 = Torch.From<float>(w1, [hidden, inputs], requiresGrad: true);
        var tb1 = Torch.From<float>(b1, requiresGrad: true);
        var tg = Torch.From<float>(lnW, requiresGrad: true);
        var tbeta = Torch.From<float>(lnB, requiresGrad: true);
        var tw2 = Torch.From<float>(w2, [classes, hidden], requiresGrad: true);
        var tb2 = Torch.From<float>(b2, requiresGrad: true);
        var tt = Torch.From<long>(target);

        var h = tx.Linear(tw1, tb1).LayerNorm([hidden], tg, tbeta).Gelu();
        var logits = h.Linear(tw2, tb2);
        var logp = logits.LogSoftmax(-1);
        var entropy = -(logp.Exp() * logp).Sum(-1).Mean();
        var loss = logits.CrossEntropy(tt) - 0.1 * entropy;
        loss.Backward();

        Assert.Equal(expected["loss"]!.GetValue<double>(), loss.ToDouble(), 1e-5);
        PyTorchReference.AssertClose(PyTorchReference.Doubles(expected["logits"]), logits.ToArray<float>(), 1e-5, "logits");
        foreach (var (name, t) in new[] { ("x", tx), ("w1", tw1), ("b1", tb1), ("ln_w", tg), ("ln_b", tbeta), ("w2", tw2), ("b2", tb2) })
        {
            PyTorchReference.AssertClose(PyTorchReference.Doubles(expected["grad_" + name]), t.Grad!.ToArray<float>(), 1e-5, "grad " + name);
        }
    }

    [Fact]
    public void AdamWWithGroupsAndClippingMatchesTorchOptim()
    {
        var rng = new Random(11);
        float[][] initial = [RandomValues(rng, 6), RandomValues(rng, 3), RandomValues(rng, 4)];
        const int steps = 5;
        float[][][] grads = Enumerable.Range(0, steps)
            .Select(_ => initial.Select(p => RandomValues(rng, p.Length, 3.0)).ToArray()).ToArray();
        var groups = new[]
        {
            new { indices = new[] { 0, 2 }, lr = 0.05, weight_decay = 0.1, beta1 = 0.9, beta2 = 0.99, eps = 1e-8 },
            new { indices = new[] { 1 }, lr = 0.02, weight_decay = 0.0, beta1 = 0.8, beta2 = 0.999, eps = 1e-6 },
        };
        const double maxNorm = 2.0;

        var input = new JsonObject
        {
            ["params"] = new JsonArray(initial.Select(p => (JsonNode)PyTorchReference.Json(p)).ToArray()),
            ["groups"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(groups)),
            ["grads"] = new JsonArray(grads.Select(s => (JsonNode)new JsonArray(s.Select(g => (JsonNode)PyTorchReference.Json(g)).ToArray())).ToArray()),
            ["max_norm"] = maxNorm,
        };
        var expected = PyTorchReference.Run("adamw.py", input);

        using var scope = new DisposeScope();
        Tensor[] parameters = initial.Select(p => Torch.From<float>(p, requiresGrad: true)).ToArray();
        using var optimizer = new AdamW(groups.Select(g =>
            new ParamGroup(g.indices.Select(i => parameters[i]).ToArray(), g.lr, g.beta1, g.beta2, g.eps, g.weight_decay)));
        var norms = new List<double>();
        foreach (float[][] step in grads)
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i].ZeroGrad();
                using var target = Torch.From<float>(step[i]);
                using var loss = (parameters[i] * target).Sum();
                loss.Backward();
            }
            norms.Add(Torch.ClipGradNorm(parameters, maxNorm));
            optimizer.Step();
        }

        PyTorchReference.AssertClose(PyTorchReference.Doubles(expected["norms"]), norms.Select(v => (float)v).ToArray(), 1e-4, "grad norm");
        for (int i = 0; i < parameters.Length; i++)
        {
            PyTorchReference.AssertClose(PyTorchReference.Doubles(expected["params"]![i]), parameters[i].ToArray<float>(), 1e-6, $"param {i}");
        }
        var state = optimizer.GetState(0, 1);
        Assert.Equal(steps, state.Step);
        PyTorchReference.AssertClose(PyTorchReference.Doubles(expected["exp_avg"]![2]), state.ExpAvg!.ToArray<float>(), 1e-6, "exp_avg of param 2");
    }

    [Fact]
    public void SingleOperationsMatchPyTorch()
    {
        var rng = new Random(3);
        float[] values = RandomValues(rng, 4 * 6, 4.0);
        var expected = PyTorchReference.Run("ops.py", new JsonObject
        {
            ["x"] = PyTorchReference.Json(values),
            ["shape"] = PyTorchReference.Json([4L, 6L]),
        });

        using var scope = new DisposeScope();
        var x = Torch.From<float>(values, [4, 6]);
        var actual = new Dictionary<string, Tensor>
        {
            ["softplus"] = x.Softplus(beta: 2.0, threshold: 5.0),
            ["logsigmoid"] = x.LogSigmoid(),
            ["gelu_tanh"] = x.Gelu(tanhApproximation: true),
            ["var_dim1"] = x.Var([1]),
            ["std_biased_all"] = x.Std(unbiased: false).Reshape(1),
            ["logsumexp_dim0"] = x.LogSumExp(0),
            ["layer_norm"] = x.LayerNorm([6]),
            ["log_softmax"] = x.LogSoftmax(-1),
            ["rsqrt_abs"] = (x.Abs() + 0.5).Rsqrt(),
            ["cross_entropy_smooth"] = x.CrossEntropy(Torch.Arange(4), labelSmoothing: 0.1).Reshape(1),
        };
        foreach (var (name, tensor) in actual)
        {
            PyTorchReference.AssertClose(PyTorchReference.Doubles(expected[name]), tensor.ToArray<float>(), 1e-5, name);
        }
    }
}
