using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Tensors;

/// <summary>Elementwise math and reductions against values computed by hand or with System.Math.</summary>
public class MathTests
{
    private static void Near(double[] expected, Tensor actual, double tolerance = 1e-6) =>
        TensorAssert.Near(expected, actual, tolerance);

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void Arithmetic(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var a = Torch.From<float>([1, 2, 3, 4], [2, 2], dev);
        var b = Torch.From<float>([10, 20], [1, 2], dev); // broadcasts over rows
        Near([11, 22, 13, 24], a + b);
        Near([-9, -18, -7, -16], a - b);
        Near([21, 42, 23, 44], a.Add(b, alpha: 2));
        Near([10, 40, 30, 80], a * b);
        Near([0.1, 0.1, 0.3, 0.2], a / b);
        Near([1.5, 2.5, 3.5, 4.5], a + 0.5);
        Near([0, 1, 2, 3], a - 1);
        Near([4, 3, 2, 1], 5 - a);
        Near([3, 6, 9, 12], 3 * a);
        Near([0.5, 1, 1.5, 2], a / 2);
        Near([12, 6, 4, 3], 12 / a);
        Near([1, 4, 9, 16], a.Pow(2));
        Near([1, 2, 3, 4], a.Pow(Torch.From<float>([1, 1, 1, 1], [2, 2], dev)));
        Near([-1, -2, -3, -4], -a);
        var c = Torch.From<float>([2, 1, 5, 0], [2, 2], dev);
        Near([1, 1, 3, 0], a.Minimum(c));
        Near([2, 2, 5, 4], a.Maximum(c));
        Assert.Equal([2L, 3L], (Torch.From<long>([1, 2], dev) + 1).ToArray<long>()); // integral stays integral
        Assert.Equal(ScalarType.Int64, (Torch.From<long>([1, 2], dev) * 3).DType);
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void UnaryFunctions(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        double[] xs = [-2.5, -0.5, 0.25, 3];
        var x = Torch.From<float>(xs.Select(v => (float)v).ToArray(), dev);
        Near(xs.Select(Math.Exp).ToArray(), x.Exp(), 1e-5);
        Near(xs.Select(v => Math.Log(Math.Abs(v))).ToArray(), x.Abs().Log());
        Near(xs.Select(v => Math.Sqrt(Math.Abs(v))).ToArray(), x.Abs().Sqrt());
        Near(xs.Select(v => 1 / Math.Sqrt(Math.Abs(v))).ToArray(), x.Abs().Rsqrt(), 1e-5);
        Near(xs.Select(Math.Tanh).ToArray(), x.Tanh());
        Near(xs.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(), x.Sigmoid());
        Near(xs.Select(v => -Math.Log(1 + Math.Exp(-v))).ToArray(), x.LogSigmoid());
        Near(xs.Select(v => Math.Log(1 + Math.Exp(v))).ToArray(), x.Softplus());
        Near(xs.Select(Math.Abs).ToArray(), x.Abs());
        Near([-1, -0.5, 0.25, 1], x.Clamp(-1, 1));
        Near([-1, -0.5, 0.25, 3], x.Clamp(min: -1));
        Near([-2.5, -0.5, 0, 0], x.Clamp(max: 0));
        Near([0, 0, 0.25, 3], x.Relu());
        Near([6.25, 0.25, 0.0625, 9], x.Square());
        Near([-0.4, -2, 4, 1.0 / 3], x.Reciprocal());
        Assert.Equal([false, false, true, true], x.Gt(0).ToArray<bool>());
        Assert.Equal([true, true, false, false], x.Le(-0.5).LogicalOr(x.Eq(-2.5)).ToArray<bool>());
        Assert.Equal([false, true, true, false], x.Ge(-0.5).LogicalAnd(x.Lt(3)).ToArray<bool>());
        Assert.Equal([true, true, true, false], x.Ne(3).ToArray<bool>());
        Assert.Equal([false, false, true, true], x.Gt(Torch.Zeros([4], device: dev)).ToArray<bool>());
        var bad = x.Log();
        Assert.Equal([true, true, false, false], bad.IsNan().ToArray<bool>());
        Assert.Equal([false, false, true, true], bad.IsFinite().ToArray<bool>());
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void Reductions(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var m = Torch.From<float>([1, 5, 3, 4, 2, 6], [2, 3], dev); // [[1,5,3],[4,2,6]]
        Assert.Equal(21, m.Sum().ToDouble());
        Near([5, 7, 9], m.Sum(0));
        Near([9, 12], m.Sum(1));
        Assert.Equal([2L, 1L], m.Sum(1, keepDim: true).Shape);
        Near([21], m.Sum([0, 1], keepDim: true).Reshape(1));
        Assert.Equal(3.5, m.Mean().ToDouble());
        Near([3, 4], m.Mean(1));
        Assert.Equal(6, m.Max().ToDouble());
        Assert.Equal(1, m.Min().ToDouble());
        var (maxValues, maxIndices) = m.Max(1);
        Near([5, 6], maxValues);
        Assert.Equal([1L, 2L], maxIndices.ToArray<long>());
        var (minValues, minIndices) = m.Min(0, keepDim: true);
        Near([1, 2, 3], minValues);
        Assert.Equal([1L, 3L], minValues.Shape);
        Assert.Equal([0L, 1L, 0L], minIndices.ToArray<long>());
        Near([Math.Log(Math.Exp(1) + Math.Exp(5) + Math.Exp(3)), Math.Log(Math.Exp(4) + Math.Exp(2) + Math.Exp(6))], m.LogSumExp(1), 1e-5);
        // row 0: mean 3, squared deviations 4 + 4 + 0 = 8; row 1: mean 4, 0 + 4 + 4 = 8
        Near([4, 4], m.Var([1]));
        Near([8.0 / 3, 8.0 / 3], m.Var([1], unbiased: false));
        Near([2, 2], m.Std([1]));
        // all six: mean 3.5, squared deviations 6.25+2.25+0.25+0.25+2.25+6.25 = 17.5
        Near([3.5], m.Var().Reshape(1));
        Near([Math.Sqrt(17.5 / 6)], m.Std(unbiased: false).Reshape(1));
        Assert.Equal([1L, 2L], m.Argmax(1).ToArray<long>());
        Assert.Equal([1L, 0L, 1L], m.Argmax(0).ToArray<long>());
        Near([1, 6, 9, 4, 6, 12], m.Cumsum(1));
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void OrderingSelections(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var v = Torch.From<float>([0.3f, 0.9f, -1f, 0.5f], dev);
        var (top, topIdx) = v.TopK(2);
        Near([0.9, 0.5], top);
        Assert.Equal([1L, 3L], topIdx.ToArray<long>());
        var (low, lowIdx) = v.TopK(1, largest: false);
        Near([-1], low);
        Assert.Equal([2L], lowIdx.ToArray<long>());
        var (sorted, order) = v.Sort(descending: true);
        Near([0.9, 0.5, 0.3, -1], sorted);
        Assert.Equal([1L, 3L, 0L, 2L], order.ToArray<long>());
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void InPlaceUpdatesChangeTheTensorItself(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var t = Torch.From<float>([1, 2], dev);
        var alias = t.View(2);
        t.AddInPlace(Torch.From<float>([10, 10], dev), alpha: 0.5).MulInPlace(2);
        Near([12, 14], alias);
        t.FillInPlace(3);
        Near([3, 3], alias);
        t.CopyInPlace(Torch.From<float>([7, 8], dev));
        Near([7, 8], t);
        t.ZeroInPlace();
        Near([0, 0], alias);
    }
}
