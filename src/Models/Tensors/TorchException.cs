using System.Runtime.InteropServices;

namespace ActorRL.Models.Tensors;

/// <summary>An operation failed inside libtorch; the message is libtorch's own.</summary>
public sealed class TorchException : Exception
{
    /// <summary>Creates the exception with libtorch's message.</summary>
    public TorchException(string message) : base(message) { }

    /// <summary>The failure the shim recorded on this thread.</summary>
    internal static TorchException FromNative() =>
        new(Marshal.PtrToStringUTF8(LibTorch.atr_last_error()) ?? "libtorch reported an error without a message");

    /// <summary>Throws the recorded failure when a shim call returned a non-zero status.</summary>
    internal static void Check(int status)
    {
        if (status != 0) throw FromNative();
    }
}
