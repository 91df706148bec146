namespace ActorRL.Models.Inference;

/// <summary>
/// The uniform draws one generation samples its tokens with: a SplitMix64 sequence from a 64-bit seed, owned by that
/// generation alone.
/// </summary>
/// <remarks>
/// Sampling does not use libtorch's global generator: several rollout workers sampling at once in one process would
/// interleave their draws on it, so the same seed would give different tokens from run to run, and every generation
/// would move the generator the learner's checkpoints save. With a stream of its own, a generation request gives the
/// same tokens for the same seed whichever worker, thread or node runs it, on any device.
/// </remarks>
public sealed class SamplingStream
{
    private ulong state;

    /// <summary>A stream that always gives the same draws for <paramref name="seed"/>.</summary>
    public SamplingStream(ulong seed) => state = seed;

    /// <summary>A stream with a seed of its own (no two alike).</summary>
    public static SamplingStream Unseeded() => new(unchecked((ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.NextInt64() << 1)));

    /// <summary>The next draw, uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    private ulong Next()
    {
        ulong value = SplitMix64.Mix(state);
        state = unchecked(state + SplitMix64.Gamma);
        return value;
    }
}
