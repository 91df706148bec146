using System.Runtime.InteropServices;

namespace ActorRL.Models.Tensors;

/// <summary>
/// A bfloat16 value: the upper 16 bits of an IEEE float32 (8 exponent bits, 7 mantissa bits).
/// Conversion from float rounds to nearest, ties to even, as libtorch does.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct BFloat16 : IEquatable<BFloat16>
{
    /// <summary>The raw bits.</summary>
    public ushort Bits { get; }

    /// <summary>Wraps raw bits.</summary>
    public BFloat16(ushort bits) => Bits = bits;

    /// <summary>Rounds a float to the nearest bfloat16 (ties to even); NaN stays NaN.</summary>
    public static explicit operator BFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return new BFloat16((ushort)((bits >> 16) | 0x40));
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return new BFloat16((ushort)((bits + roundingBias) >> 16));
    }

    /// <summary>Widens exactly to float.</summary>
    public static implicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value.Bits << 16);

    /// <inheritdoc/>
    public bool Equals(BFloat16 other) => Bits == other.Bits;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Bits;

    /// <inheritdoc/>
    public override string ToString() => ((float)this).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Bitwise equality.</summary>
    public static bool operator ==(BFloat16 a, BFloat16 b) => a.Equals(b);

    /// <summary>Bitwise inequality.</summary>
    public static bool operator !=(BFloat16 a, BFloat16 b) => !a.Equals(b);
}
