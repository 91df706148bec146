using ActorRL.Host.Hosting;

namespace ActorRL.Host.Configuration;

/// <summary>Range checks that throw <see cref="InvalidConfigurationException"/> naming the key's full path.</summary>
internal static class ConfigCheck
{
    public static void AtLeast(long value, long low, string path)
    {
        if (value < low) throw new InvalidConfigurationException(path, $"must be at least {low}, not {value}");
    }

    public static void Positive(double value, string path)
    {
        if (!(value > 0)) throw new InvalidConfigurationException(path, $"must be > 0, not {value}");
    }

    public static void InRange(double value, double low, double high, string path)
    {
        if (!(value >= low && value <= high)) throw new InvalidConfigurationException(path, $"must be in [{low}, {high}], not {value}");
    }
}
