using ActorRL.Models.Tensors;

namespace ActorRL.Host.Bench;

/// <summary>Parameter initialisation shared by the benchmark programs (as torch_bench.cpp's <c>param</c>).</summary>
public static class BenchParameter
{
    /// <summary>A leaf that requires gradients, drawn from N(0, scale²); scale 0 still draws, as the C++ does.</summary>
    public static Tensor Random(ReadOnlySpan<long> shape, double scale)
    {
        using Tensor standard = Torch.Randn(shape);
        return (standard * scale).RequiresGradInPlace();
    }
}
