using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Tensors;

public class DisposeScopeTests
{
    [Fact]
    public void ScopeFreesEveryTensorCreatedInsideIt()
    {
        using var outside = Torch.Ones([2]);
        Tensor a, b, c;
        using (var scope = new DisposeScope())
        {
            a = Torch.Ones([2]);
            b = a + outside;
            c = b.Exp();
            Assert.Equal(3, scope.Count);
        }
        Assert.True(a.IsDisposed);
        Assert.True(b.IsDisposed);
        Assert.True(c.IsDisposed);
        Assert.False(outside.IsDisposed);
    }

    [Fact]
    public void MoveToOuterHandsATensorToTheEnclosingScope()
    {
        Tensor kept, inner;
        using (var outer = new DisposeScope())
        {
            using (var scope = new DisposeScope())
            {
                inner = Torch.Zeros([1]);
                kept = scope.MoveToOuter(Torch.Full([1], 4));
            }
            Assert.True(inner.IsDisposed);
            Assert.False(kept.IsDisposed);
            Assert.Equal(4, kept.ToDouble());
            Assert.Equal(1, outer.Count);
        }
        Assert.True(kept.IsDisposed);
    }

    [Fact]
    public void MovingOutOfTheOutermostScopeLeavesTheTensorToTheCaller()
    {
        Tensor kept;
        using (var scope = new DisposeScope())
        {
            kept = scope.MoveToOuter(Torch.Ones([1]));
            Assert.Throws<InvalidOperationException>(() => scope.MoveToOuter(kept));
        }
        Assert.False(kept.IsDisposed);
        kept.Dispose();
    }

    [Fact]
    public void AViewOutlivesTheTensorItWasTakenFrom()
    {
        Tensor view;
        using (var scope = new DisposeScope())
        {
            var big = Torch.Arange(0, 6, 1, ScalarType.Float32);
            view = scope.MoveToOuter(big.Narrow(0, 2, 2));
        }
        Assert.Equal([2f, 3f], view.ToArray<float>());
        view.Dispose();
    }

    [Fact]
    public void ClosingScopesOutOfOrderIsAnError()
    {
        var outer = new DisposeScope();
        var inner = new DisposeScope();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        Assert.Same(outer, DisposeScope.Current);
        outer.Dispose();
        Assert.Null(DisposeScope.Current);
    }
}
