namespace ActorRL.Models.Inference;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood): the step of a 64-bit sequence and its output mix. Its values are the same in every
/// process and on every platform, unlike <see cref="HashCode"/> or <see cref="Random"/>'s unseeded choices.
/// </summary>
internal static class SplitMix64
{
    /// <summary>What each step adds to the state (2⁶⁴ divided by the golden ratio, odd).</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>The output for state <paramref name="z"/>: <c>z + Gamma</c>, mixed.</summary>
    public static ulong Mix(ulong z)
    {
        unchecked
        {
            z += Gamma;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
