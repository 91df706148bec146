using System.Globalization;
using System.Runtime.InteropServices;

namespace ActorRL.Host.Diagnostics;

/// <summary>The machine a measurement ran on, as reports print it next to the figures.</summary>
/// <param name="CpuModel">The processor's model name from /proc/cpuinfo.</param>
/// <param name="Cores">Logical processors available to this process.</param>
/// <param name="Os">Distribution and kernel.</param>
/// <param name="Runtime">The .NET runtime.</param>
public sealed record MachineInfo(string CpuModel, int Cores, string Os, string Runtime)
{
    /// <summary>Describes the machine this process runs on.</summary>
    public static MachineInfo Current() =>
        new(ReadCpuModel(), Environment.ProcessorCount, ReadOperatingSystem(), RuntimeInformation.FrameworkDescription);

    /// <summary>One line, e.g. "Intel(R) Xeon(R), 2 cores, Debian GNU/Linux 12 (bookworm) (kernel 6.1.0)".</summary>
    public override string ToString() => $"{CpuModel}, {Cores} cores, {Os}, {Runtime}";

    /// <summary>
    /// The 1-minute load average (threads running or waiting for a core, averaged) from /proc/loadavg,
    /// or null where it cannot be read: above the core count, other work competes with a measurement.
    /// </summary>
    public static double? LoadAverage()
    {
        string? text = TryRead("/proc/loadavg");
        string? first = text?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out double load) ? load : null;
    }

    private static string ReadCpuModel() =>
        ReadField("/proc/cpuinfo", "model name", ':') ?? RuntimeInformation.ProcessArchitecture.ToString();

    private static string ReadOperatingSystem()
    {
        string? name = ReadField("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"');
        string? kernel = TryRead("/proc/sys/kernel/osrelease")?.Trim();
        return name is null ? RuntimeInformation.OSDescription
            : kernel is null ? name
            : $"{name} (kernel {kernel})";
    }

    // The value of the first "key<separator>value" line of a text file, or null.
    private static string? ReadField(string path, string key, char separator)
    {
        string? text = TryRead(path);
        if (text is null) return null;
        foreach (string line in text.Split('\n'))
        {
            int i = line.IndexOf(separator);
            if (i > 0 && line[..i].Trim() == key) return line[(i + 1)..].Trim();
        }
        return null;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
