using System.Runtime.InteropServices;

namespace ActorRL.Models.Tensors;

/// <summary>Owns one heap-allocated <c>at::Tensor</c> of the shim; freeing it drops libtorch's reference.</summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle() : base(0, ownsHandle: true) { }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibTorch.atr_free(handle);
        return true;
    }
}

/// <summary>Owns an AdamW optimizer of the shim.</summary>
internal sealed class OptimizerHandle : SafeHandle
{
    public OptimizerHandle() : base(0, ownsHandle: true) { }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibTorch.atr_adamw_free(handle);
        return true;
    }
}
