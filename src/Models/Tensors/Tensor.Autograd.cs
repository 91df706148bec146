namespace ActorRL.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>Whether autograd records operations on this tensor; settable on leaves.</summary>
    public bool RequiresGrad
    {
        get => LibTorch.atr_requires_grad(Handle) != 0;
        set => TorchException.Check(LibTorch.atr_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor.</summary>
    public Tensor RequiresGradInPlace(bool requiresGrad = true)
    {
        RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>
    /// Accumulates d(this)/d(leaf) into every leaf's gradient. Without <paramref name="gradient"/>
    /// this must be a single element; with it, computes the vector-Jacobian product.
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        TorchException.Check(LibTorch.atr_backward(Handle, HandleOrUndefined(gradient), retainGraph ? 1 : 0));

    /// <summary>The accumulated gradient (a new handle to it), or null before any backward pass.</summary>
    public Tensor? Grad
    {
        get
        {
            var g = LibTorch.atr_grad(Handle);
            if (g.IsInvalid) throw TorchException.FromNative();
            if (LibTorch.atr_defined(g) == 0)
            {
                g.Dispose();
                return null;
            }
            return new Tensor(g);
        }
    }

    /// <summary>Clears the gradient: drops it (the default, as PyTorch) or fills it with zeros.</summary>
    public void ZeroGrad(bool setToNone = true) => TorchException.Check(LibTorch.atr_zero_grad(Handle, setToNone ? 1 : 0));

    /// <summary>
    /// Makes this tensor use <paramref name="data"/>'s storage, dtype and device while staying the same
    /// tensor (and the same autograd leaf): how a module moves its parameters between devices.
    /// </summary>
    public void SetData(Tensor data) => TorchException.Check(LibTorch.atr_set_data(Handle, data.Handle));

    /// <summary>The same values, cut off from the autograd graph.</summary>
    public Tensor Detach() => new(LibTorch.atr_detach(Handle));
}
