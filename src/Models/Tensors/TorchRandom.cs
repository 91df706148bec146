namespace ActorRL.Models.Tensors;

/// <summary>
/// libtorch's default random generators. A run saves <see cref="GetState"/> with each checkpoint
/// and restores it with <see cref="SetState"/> so that sampling after a resume is bit-for-bit
/// what it would have been without the interruption.
/// </summary>
public static class TorchRandom
{
    /// <summary>Seeds the CPU generator and every CUDA generator.</summary>
    public static void ManualSeed(ulong seed) => TorchException.Check(LibTorch.atr_manual_seed(seed));

    /// <summary>The full state of a device's default generator, as bytes.</summary>
    public static byte[] GetState(Device? device = null)
    {
        Device dev = device ?? Device.Cpu;
        using var state = new Tensor(LibTorch.atr_rng_get_state((int)dev.Type, dev.Index));
        return state.ToArray<byte>();
    }

    /// <summary>Restores a state produced by <see cref="GetState"/> for the same kind of device.</summary>
    public static void SetState(ReadOnlySpan<byte> state, Device? device = null)
    {
        Device dev = device ?? Device.Cpu;
        using var t = Torch.From(state);
        TorchException.Check(LibTorch.atr_rng_set_state((int)dev.Type, dev.Index, t.Handle));
    }
}
