using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Tensors;

public class LayoutTests
{
    // m = [[0, 1, 2], [3, 4, 5]]
    private static Tensor Matrix(Device dev) => Torch.From<float>([0, 1, 2, 3, 4, 5], [2, 3], dev);

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void ViewsAndReorderings(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var m = Matrix(dev);
        Assert.Equal(2, m.Size(0));
        Assert.Equal(3, m.Size(-1));
        Assert.Throws<TorchException>(() => m.Size(2));
        Assert.Equal(6, m.NumberOfElements);
        Assert.Equal(2, m.Dim);
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], m.Transpose(0, 1).ToArray<float>());
        Assert.False(m.Transpose(0, 1).IsContiguous);
        Assert.True(m.Transpose(0, 1).Contiguous().IsContiguous);
        Assert.Equal([3L, 2L], m.View(3, -1).Shape);
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], m.Transpose(0, 1).Reshape(6).ToArray<float>());
        Assert.Throws<TorchException>(() => m.Transpose(0, 1).View(6));
        Assert.Equal([3L, 1L, 2L], m.Unsqueeze(0).Permute(2, 0, 1).Shape);
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], m.Unsqueeze(0).Permute(2, 0, 1).ToArray<float>());
        Assert.Equal([2L, 3L], m.Unsqueeze(1).Squeeze(1).Shape);
        Assert.Equal([1f, 2f, 4f, 5f], m.Narrow(1, 1, 2).ToArray<float>());
        Assert.Equal([3f, 4f, 5f], m.Select(0, 1).ToArray<float>());
        Assert.Equal([0f, 2f, 3f, 5f], m.Slice(1, 0, 3, 2).ToArray<float>());
        Assert.Equal([6L], m.Flatten().Shape);
        Assert.Equal([1f, 1f, 2f, 2f], Torch.From<float>([1, 2], [2, 1], dev).Expand(2, 2).Contiguous().ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void JoiningAndIndexing(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var m = Matrix(dev);
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f, 0f, 1f, 2f, 3f, 4f, 5f], Torch.Cat([m, m], 0).ToArray<float>());
        Assert.Equal([2L, 6L], Torch.Cat([m, m], 1).Shape);
        Assert.Equal([0f, 1f, 2f, 0f, 1f, 2f, 3f, 4f, 5f, 3f, 4f, 5f], Torch.Cat([m, m], 1).ToArray<float>());
        Assert.Equal([2L, 2L, 3L], Torch.Stack([m, m], 1).Shape);

        var idx = Torch.From<long>([2, 0], dev);
        Assert.Equal([2f, 0f, 5f, 3f], m.IndexSelect(1, idx).ToArray<float>());

        // gather along 1: out[i][j] = m[i][index[i][j]]
        var gatherIndex = Torch.From<long>([2, 2, 0, 1], [2, 2], dev);
        Assert.Equal([2f, 2f, 3f, 4f], m.Gather(1, gatherIndex).ToArray<float>());

        // scatter along 1 into zeros: z[i][index[i][j]] = src[i][j]
        var z = Torch.Zeros([2, 3], device: dev);
        var src = Torch.From<float>([10, 20, 30, 40], [2, 2], dev);
        var scatterIndex = Torch.From<long>([2, 0, 1, 2], [2, 2], dev);
        Assert.Equal([20f, 0f, 10f, 0f, 30f, 40f], z.Scatter(1, scatterIndex, src).ToArray<float>());
        var twice = Torch.From<long>([1, 1, 0, 0], [2, 2], dev);
        Assert.Equal([0f, 30f, 0f, 70f, 0f, 0f], z.ScatterAdd(1, twice, src).ToArray<float>());

        var mask = Torch.From<bool>([true, false, false, false, true, false], [2, 3], dev);
        Assert.Equal([-1f, 1f, 2f, 3f, -1f, 5f], m.MaskedFill(mask, -1).ToArray<float>());
        Assert.Equal([0f, -1f, -2f, -3f, 4f, -5f], Torch.Where(mask.LogicalNot().LogicalNot(), m, -m).ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void TriangularParts(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var ones = Torch.Ones([3, 3], device: dev);
        Assert.Equal([1f, 0f, 0f, 1f, 1f, 0f, 1f, 1f, 1f], ones.Tril().ToArray<float>());
        Assert.Equal([0f, 1f, 1f, 0f, 0f, 1f, 0f, 0f, 0f], ones.Triu(1).ToArray<float>());
        Assert.Equal([1f, 1f, 0f, 1f, 1f, 1f, 1f, 1f, 1f], ones.Tril(1).ToArray<float>());
    }
}
