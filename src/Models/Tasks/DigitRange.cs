namespace ActorRL.Models.Tasks;

/// <summary>Operands with <paramref name="Min"/> to <paramref name="Max"/> decimal digits (no leading zeros).</summary>
/// <param name="Min">Fewest digits, at least 1.</param>
/// <param name="Max">Most digits, at most 15 (so sums and products stay exact in a <see cref="long"/>).</param>
public sealed record DigitRange(int Min, int Max)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public DigitRange Validate()
    {
        if (Min < 1) throw new ArgumentException($"{nameof(Min)} must be at least 1, not {Min}");
        if (Max < Min || Max > 15) throw new ArgumentException($"{nameof(Max)} must be in [{Min}, 15], not {Max}");
        return this;
    }

    /// <summary>Whether <paramref name="value"/> has a digit count in the range.</summary>
    public bool Contains(long value) => value >= 0 && DigitCount(value) is int d && d >= Min && d <= Max;

    /// <summary>The largest operand in the range (all nines).</summary>
    public long Largest => Pow10(Max) - 1;

    /// <summary>A digit count uniform in [Min, Max], then a number uniform among those with that many digits.</summary>
    public long Sample(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int digits = rng.Next(Min, Max + 1);
        return rng.NextInt64(Pow10(digits - 1), Pow10(digits));
    }

    /// <summary>Number of decimal digits of a non-negative number (1 for 0).</summary>
    public static int DigitCount(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

    private static long Pow10(int n)
    {
        long p = 1;
        for (int i = 0; i < n; i++) p *= 10;
        return p;
    }
}
