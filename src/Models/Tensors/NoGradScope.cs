namespace ActorRL.Models.Tensors;

/// <summary>
/// Disables gradient recording on this thread until disposed (libtorch's grad mode is thread-local),
/// then restores the previous mode.
/// </summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly bool wasEnabled;

    private NoGradScope(bool wasEnabled) => this.wasEnabled = wasEnabled;

    /// <summary>Turns gradient recording off.</summary>
    public static NoGradScope Enter()
    {
        bool enabled = LibTorch.atr_is_grad_enabled() != 0;
        LibTorch.atr_set_grad_enabled(0);
        return new NoGradScope(enabled);
    }

    /// <summary>Whether operations on this thread currently record gradients.</summary>
    public static bool IsGradEnabled => LibTorch.atr_is_grad_enabled() != 0;

    /// <summary>Restores the mode that was in force before <see cref="Enter"/>.</summary>
    public void Dispose() => LibTorch.atr_set_grad_enabled(wasEnabled ? 1 : 0);
}
