using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Tensors;

public class AutogradTests
{
    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void GradientsOfHandDifferentiatedFunctions(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        var x = Torch.From<float>([1, -2, 3], dev, requiresGrad: true);
        Assert.True(x.RequiresGrad);
        Assert.Null(x.Grad);

        // d/dx Σ x³ = 3x²
        (x * x * x).Sum().Backward();
        Assert.Equal([3f, 12f, 27f], x.Grad!.ToArray<float>());

        // gradients accumulate until cleared
        (x * 2).Sum().Backward();
        Assert.Equal([5f, 14f, 29f], x.Grad!.ToArray<float>());

        x.ZeroGrad(setToNone: false);
        Assert.Equal([0f, 0f, 0f], x.Grad!.ToArray<float>());
        x.ZeroGrad();
        Assert.Null(x.Grad);

        // vector-Jacobian product: y = x², v = [1, 10, 100] gives 2x ⊙ v
        var y = x * x;
        y.Backward(Torch.From<float>([1, 10, 100], dev), retainGraph: true);
        Assert.Equal([2f, -40f, 600f], x.Grad!.ToArray<float>());
        x.ZeroGrad();
        y.Backward(Torch.Ones([3], device: dev));
        Assert.Equal([2f, -4f, 6f], x.Grad!.ToArray<float>());
    }

    [Fact]
    public void DetachAndNoGradStopTracking()
    {
        using var scope = new DisposeScope();
        var w = Torch.From<float>([2f], requiresGrad: true);
        var d = w.Detach();
        Assert.False(d.RequiresGrad);
        Assert.False((d * 3).RequiresGrad);

        Assert.True(NoGradScope.IsGradEnabled);
        using (NoGradScope.Enter())
        {
            Assert.False(NoGradScope.IsGradEnabled);
            Assert.False((w * 3).RequiresGrad);
        }
        Assert.True(NoGradScope.IsGradEnabled);
        Assert.True((w * 3).RequiresGrad);

        // (w · c)' with c = detached w² counts only the first factor: c = 4
        (w * (w * w).Detach()).Sum().Backward();
        Assert.Equal([4f], w.Grad!.ToArray<float>());
    }

    [Fact]
    public void BackwardOfANonScalarWithoutGradientFailsWithLibtorchsMessage()
    {
        using var scope = new DisposeScope();
        var x = Torch.Ones([2], requiresGrad: true);
        var e = Assert.Throws<TorchException>(() => (x * 2).Backward());
        Assert.Contains("grad can be implicitly created only for scalar outputs", e.Message);
    }

    [Fact]
    public void ClipGradNormScalesToTheLimit()
    {
        using var scope = new DisposeScope();
        var a = Torch.From<float>([1, 1], requiresGrad: true);
        var b = Torch.From<float>([1], requiresGrad: true);
        (a * Torch.From<float>([3, 0])).Sum().Add(b * 4).Sum().Backward(); // grads [3, 0] and [4]: norm 5
        double norm = Torch.ClipGradNorm([a, b], 1.0);
        Assert.Equal(5.0, norm, 1e-6);
        float[] ga = a.Grad!.ToArray<float>(), gb = b.Grad!.ToArray<float>();
        Assert.Equal(0.6, ga[0], 1e-5);
        Assert.Equal(0.8, gb[0], 1e-5);
    }
}
