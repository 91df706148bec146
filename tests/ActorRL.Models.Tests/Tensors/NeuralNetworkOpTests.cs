using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Tensors;

/// <summary>Products, normalization, activations, losses and sampling against hand-computed values.</summary>
public class NeuralNetworkOpTests
{
    private static void Near(double[] expected, Tensor actual, double tolerance = 1e-5) =>
        TensorAssert.Near(expected, actual, tolerance);

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void MatrixProducts(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var a = Torch.From<float>([1, 2, 3, 4], [2, 2], dev);
        var b = Torch.From<float>([5, 6, 7, 8], [2, 2], dev);
        Near([19, 22, 43, 50], a.MatMul(b));
        Near([19, 22, 43, 50, 19, 22, 43, 50], Torch.Stack([a, a]).Bmm(Torch.Stack([b, b])));
        // linear: x Wᵀ + bias with W [out=2, in=2]
        Near([17 + 1, 23 + 2, 39 + 1, 53 + 2], a.Linear(b, Torch.From<float>([1, 2], dev)));
        Near([17, 23, 39, 53], a.Linear(b));
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void SoftmaxFamily(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var x = Torch.From<float>([1, 2, 3], dev);
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        Near([Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z], x.Softmax(0), 1e-6);
        Near([1 - Math.Log(z), 2 - Math.Log(z), 3 - Math.Log(z)], x.LogSoftmax(0));
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void EmbeddingLayerNormGeluDropout(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var table = Torch.From<float>([0, 0, 1, 1, 2, 2], [3, 2], dev);
        Near([2, 2, 0, 0, 2, 2], table.Embedding(Torch.From<long>([2, 0, 2], dev)));

        // [1, 2, 3]: mean 2, biased variance 2/3; (x - 2) / sqrt(2/3 + 1e-5)
        double s = Math.Sqrt(2.0 / 3 + 1e-5);
        var x = Torch.From<float>([1, 2, 3], [1, 3], dev);
        Near([-1 / s, 0, 1 / s], x.LayerNorm([3]));
        Near([-2 / s + 1, 1, 2 / s + 1], x.LayerNorm([3], Torch.Full([3], 2, device: dev), Torch.Ones([3], device: dev)));

        // GELU(x) = x Φ(x): Φ(1) = 0.841344746068543, Φ(-1) = 0.158655253931457
        var g = Torch.From<float>([-1, 0, 1], dev);
        Near([-0.158655253931457, 0, 0.841344746068543], g.Gelu());
        // tanh form: 0.5 x (1 + tanh(sqrt(2/π)(x + 0.044715 x³)))
        double Tanh(double v) => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
        Near([Tanh(-1), 0, Tanh(1)], g.Gelu(tanhApproximation: true));

        var ones = Torch.Ones([10000], device: dev);
        Near(Enumerable.Repeat(1.0, 10000).ToArray(), ones.Dropout(0.5, training: false));
        float[] dropped = ones.Dropout(0.25, training: true).ToArray<float>();
        Assert.All(dropped, v => Assert.True(v == 0f || Math.Abs(v - 1 / 0.75) < 1e-6));
        // 10,000 Bernoulli(0.25) zeros: within 5 standard deviations (5 * 43) of 2,500
        Assert.InRange(dropped.Count(v => v == 0f), 2500 - 215, 2500 + 215);
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void CrossEntropyWithIgnoredTargets(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var logits = Torch.From<float>([1, 2, 3, 0, 0, 0, 5, 1, 1], [3, 3], dev);
        var target = Torch.From<long>([2, -100, 0], dev);
        double Nll(double[] row, int k) => Math.Log(row.Sum(Math.Exp)) - row[k];
        double l0 = Nll([1, 2, 3], 2), l2 = Nll([5, 1, 1], 0);
        Near([l0, 0, l2], logits.CrossEntropy(target, Reduction.None));
        Near([(l0 + l2) / 2], logits.CrossEntropy(target).Reshape(1));
        Near([l0 + l2], logits.CrossEntropy(target, Reduction.Sum).Reshape(1));
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void MultinomialFollowsTheGivenProbabilities(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var certain = Torch.From<float>([0, 0, 1, 0, 1, 0, 0, 0], [2, 4], dev);
        Assert.Equal([2L, 2L, 0L, 0L], certain.Multinomial(2, replacement: true).ToArray<long>());

        TorchRandom.ManualSeed(1);
        long[] draws = Torch.From<float>([1, 3], dev).Multinomial(20000, replacement: true).ToArray<long>();
        // P(1) = 0.75: 15,000 expected, standard deviation 61
        Assert.InRange(draws.Count(d => d == 1), 15000 - 306, 15000 + 306);
    }
}
