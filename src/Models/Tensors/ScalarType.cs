namespace ActorRL.Models.Tensors;

/// <summary>Element types, numbered as libtorch's <c>c10::ScalarType</c>.</summary>
public enum ScalarType
{
    /// <summary>uint8.</summary>
    Byte = 0,
    /// <summary>int8.</summary>
    Int8 = 1,
    /// <summary>int16.</summary>
    Int16 = 2,
    /// <summary>int32.</summary>
    Int32 = 3,
    /// <summary>int64: token ids, indices.</summary>
    Int64 = 4,
    /// <summary>IEEE half precision.</summary>
    Float16 = 5,
    /// <summary>float32: the default for parameters and activations.</summary>
    Float32 = 6,
    /// <summary>float64.</summary>
    Float64 = 7,
    /// <summary>bool: masks.</summary>
    Bool = 11,
    /// <summary>bfloat16: mixed-precision training on GPUs.</summary>
    BFloat16 = 15,
}

/// <summary>Facts about <see cref="ScalarType"/> values.</summary>
public static class ScalarTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this ScalarType type) => type switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown scalar type"),
    };

    /// <summary>True for the floating-point types, which can carry gradients.</summary>
    public static bool IsFloatingPoint(this ScalarType type) =>
        type is ScalarType.Float16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.BFloat16;

    /// <summary>The element type that stores managed values of <typeparamref name="T"/>.</summary>
    public static ScalarType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(long) ? ScalarType.Int64
        : typeof(T) == typeof(bool) ? ScalarType.Bool
        : typeof(T) == typeof(BFloat16) ? ScalarType.BFloat16
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : typeof(T) == typeof(int) ? ScalarType.Int32
        : typeof(T) == typeof(byte) ? ScalarType.Byte
        : typeof(T) == typeof(sbyte) ? ScalarType.Int8
        : typeof(T) == typeof(short) ? ScalarType.Int16
        : typeof(T) == typeof(Half) ? ScalarType.Float16
        : throw new NotSupportedException($"{typeof(T).Name} has no tensor element type");
}
