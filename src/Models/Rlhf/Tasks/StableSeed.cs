using ActorRL.Models.Inference;

namespace ActorRL.Models.Rlhf.Tasks;

/// <summary>
/// Seeds derived from (seed, id, stream) that are the same in every process: a SplitMix64 mix rather than
/// <see cref="HashCode"/> or <see cref="string.GetHashCode()"/>, which are randomized per process. A prompt id is all a
/// message carries, so every actor must rebuild the same prompt from it.
/// </summary>
internal static class StableSeed
{
    /// <summary>A non-negative <see cref="Random"/> seed for <paramref name="id"/> in <paramref name="stream"/> under <paramref name="seed"/>.</summary>
    public static int Of(int seed, long id, ulong stream) =>
        (int)(SplitMix64.Mix(SplitMix64.Mix((ulong)(uint)seed ^ (stream * 0xD1B54A32D192ED03UL)) + (ulong)id) >> 33);
}
