using System.Globalization;

namespace ActorRL.Models.Tensors;

/// <summary>Kinds of device, numbered as libtorch's <c>c10::DeviceType</c>.</summary>
public enum DeviceType
{
    /// <summary>Host memory.</summary>
    Cpu = 0,
    /// <summary>An NVIDIA GPU.</summary>
    Cuda = 1,
}

/// <summary>Where a tensor lives: <c>cpu</c>, <c>cuda</c> (the current GPU) or <c>cuda:N</c>.</summary>
/// <param name="Type">The kind of device.</param>
/// <param name="Index">The GPU's ordinal, or -1 for the current one (always -1 for the CPU).</param>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    /// <summary>Host memory.</summary>
    public static readonly Device Cpu = new(DeviceType.Cpu);

    /// <summary>The current GPU.</summary>
    public static readonly Device Cuda = new(DeviceType.Cuda);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <exception cref="FormatException">The text names no device.</exception>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim().ToLowerInvariant();
        if (s == "cpu") return Cpu;
        if (s == "cuda") return Cuda;
        if (s.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(s.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return new Device(DeviceType.Cuda, index);
        }
        throw new FormatException($"'{text}' is not a device: use cpu, cuda or cuda:N");
    }

    /// <inheritdoc/>
    public override string ToString() => Type switch
    {
        DeviceType.Cpu => "cpu",
        _ when Index < 0 => "cuda",
        _ => $"cuda:{Index}",
    };
}
