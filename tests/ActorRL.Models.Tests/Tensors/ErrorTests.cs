using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Tensors;

/// <summary>Bad input becomes a managed exception carrying libtorch's message; the process survives.</summary>
public class ErrorTests
{
    [Fact]
    public void ShapeMismatchThrowsWithLibtorchsMessage()
    {
        using var scope = new DisposeScope();
        var a = Torch.Ones([2, 3]);
        var b = Torch.Ones([4, 5]);
        var e = Assert.Throws<TorchException>(() => a.MatMul(b));
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", e.Message);
        Assert.Throws<TorchException>(() => a + Torch.Ones([4]));
        Assert.Throws<TorchException>(() => a.View(7));
        Assert.Throws<TorchException>(() => Torch.Cat([a, b], 0));
    }

    [Fact]
    public void WrongDtypeThrowsWithLibtorchsMessage()
    {
        using var scope = new DisposeScope();
        var table = Torch.Ones([4, 2]);
        var e = Assert.Throws<TorchException>(() => table.Embedding(Torch.Ones([2])));
        Assert.Contains("indices", e.Message);
        Assert.Throws<TorchException>(() => Torch.Ones([2, 3]).CrossEntropy(Torch.Ones([2])));
        var copy = Assert.Throws<ArgumentException>(() => Torch.Ones([2]).ToArray<long>());
        Assert.Contains("Float32", copy.Message);
    }

    [Fact]
    public void IndexOutOfRangeThrowsInsteadOfReadingMemory()
    {
        using var scope = new DisposeScope();
        var t = Torch.Ones([3]);
        Assert.Throws<TorchException>(() => t.IndexSelect(0, Torch.From<long>([5])));
        Assert.Throws<TorchException>(() => t.Narrow(0, 2, 5));
        Assert.Throws<TorchException>(() => t.Transpose(0, 4));
    }

    [Fact]
    public void UseAfterDisposeThrowsObjectDisposed()
    {
        var t = Torch.Ones([2]);
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.Shape);
        Assert.Throws<ObjectDisposedException>(() => t.Exp());
        using var other = Torch.Ones([2]);
        Assert.Throws<ObjectDisposedException>(() => other + t);
        Assert.Throws<ObjectDisposedException>(() => Torch.Cat([other, t]));
        t.Dispose(); // disposing twice is harmless
    }

    [Fact]
    public void ManagedArgumentsAreCheckedBeforeReachingLibtorch()
    {
        Assert.Throws<ArgumentException>(() => Torch.From<float>([1, 2, 3], [2, 2]));
        Assert.Throws<ArgumentException>(() => Torch.Ones([2]).Clamp());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([new ParamGroup([], Beta1: 1.0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Torch.Threads = 0);
    }

    [Fact]
    public void AfterManyFailuresTheBindingStillWorks()
    {
        using var scope = new DisposeScope();
        var a = Torch.Ones([2, 3]);
        for (int i = 0; i < 100; i++) Assert.Throws<TorchException>(() => a.MatMul(a));
        Assert.Equal(6, a.MatMul(a.Transpose(0, 1)).Sum().ToDouble() / 2);
    }
}
