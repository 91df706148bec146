using ActorRL.Host.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;

namespace ActorRL.Host.Configuration;

/// <summary>
/// Loads a <see cref="TrainConfig"/> from, in increasing precedence: the JSON file, environment variables
/// <c>ACTORRL_SECTION__KEY</c> and <c>--set section.key=value</c> pairs. Binding is strict and the result validated:
/// an unknown key, a wrong type or an invalid value throws <see cref="InvalidConfigurationException"/> whose message
/// starts with the key's full path (<c>rl.staleness</c>) and says where the value came from.
/// </summary>
public static class TrainConfigLoader
{
    /// <summary>Prefix of the environment variables read; <c>__</c> separates sections (<c>ACTORRL_RL__STEPS</c>).</summary>
    public const string EnvironmentPrefix = "ACTORRL_";

    /// <summary>Loads, binds and validates.</summary>
    /// <param name="configFile">The JSON file, as the user wrote it; null for defaults only.</param>
    /// <param name="overrides"><c>key=value</c> pairs of <c>--set</c>, keys separated by <c>.</c> or <c>:</c>; later ones win.</param>
    /// <exception cref="InvalidConfigurationException">The file, an override or a value cannot be used.</exception>
    public static TrainConfig Load(string? configFile, IEnumerable<string>? overrides = null)
    {
        IConfigurationRoot root = Build(configFile, overrides ?? []);
        try
        {
            TrainConfig config = Bind(root);
            config.Validate();
            return config;
        }
        catch (InvalidConfigurationException e) when (e.Field is { } field)
        {
            string problem = e.Message.StartsWith(field + ": ", StringComparison.Ordinal) ? e.Message[(field.Length + 2)..] : e.Message;
            string? source = SourceOf(root, field, configFile);
            throw new InvalidConfigurationException(field, source is null ? problem : $"{problem} (from {source})");
        }
    }

    /// <summary>The layered configuration: file, then environment, then <paramref name="overrides"/>.</summary>
    /// <exception cref="InvalidConfigurationException">The file is missing or not JSON, or an override is not <c>key=value</c>.</exception>
    public static IConfigurationRoot Build(string? configFile, IEnumerable<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            var file = new FileInfo(configFile);
            if (!file.Exists) throw new InvalidConfigurationException($"{configFile}: the file does not exist");
            builder.AddJsonFile(file.FullName, optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        // A key set twice takes its last value, as on most command lines; keys are case-insensitive.
        var pairs = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in overrides.Select(Override)) pairs[key] = value;
        builder.AddInMemoryCollection(pairs);
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            Exception inner = e;
            while (inner.InnerException is not null) inner = inner.InnerException;
            throw new InvalidConfigurationException($"{configFile}: not valid JSON: {inner.Message}");
        }
    }

    /// <summary>Binds every section strictly; does not validate ranges (see <see cref="TrainConfig.Validate"/>).</summary>
    /// <exception cref="InvalidConfigurationException">An unknown section or key, or a value of the wrong type.</exception>
    public static TrainConfig Bind(IConfiguration root)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (IConfigurationSection section in root.GetChildren())
        {
            if (!TrainConfig.Sections.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new InvalidConfigurationException(section.Key, $"unknown section (known sections: {string.Join(", ", TrainConfig.Sections)})");
            }
        }
        var config = new TrainConfig
        {
            Objective = ObjectiveConfig.Bind(root.GetSection(ObjectiveConfig.Section)),
        };
        SnakeCaseBinder.Bind(root.GetSection("run"), config.Run);
        SnakeCaseBinder.Bind(root.GetSection("task"), config.Task);
        SnakeCaseBinder.Bind(root.GetSection("model"), config.Model);
        SnakeCaseBinder.Bind(root.GetSection("stages"), config.Stages);
        SnakeCaseBinder.Bind(root.GetSection("rl"), config.Rl);
        SnakeCaseBinder.Bind(root.GetSection("eval"), config.Eval);
        SnakeCaseBinder.Bind(root.GetSection("cluster"), config.Cluster);
        StrictSectionBinder.Bind(root.GetSection(TorchOptions.Section), config.Torch);
        if (new TorchOptionsValidator().Validate(null, config.Torch) is { Failed: true } result)
        {
            string failure = result.Failures.First();
            int colon = failure.IndexOf(": ", StringComparison.Ordinal);
            throw colon > 0 ? new InvalidConfigurationException(failure[..colon], failure[(colon + 2)..]) : new InvalidConfigurationException(failure);
        }
        return config;
    }

    private static KeyValuePair<string, string?> Override(string pair)
    {
        int equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0) throw new InvalidConfigurationException($"--set '{pair}': expected key=value, e.g. rl.steps=2");
        return new(pair[..equals].Trim().Replace('.', ':'), pair[(equals + 1)..]);
    }

    // The layer whose value is used for the key at `field` (or, for a section, for its first value).
    private static string? SourceOf(IConfigurationRoot root, string field, string? configFile)
    {
        string path = field.Replace('.', ':');
        string? key = root.GetSection(path).Value is not null ? path
            : root.GetSection(path).AsEnumerable().FirstOrDefault(p => p.Value is not null).Key;
        if (key is null) return null;
        foreach (IConfigurationProvider provider in root.Providers.Reverse())
        {
            if (!provider.TryGet(key, out _)) continue;
            return provider switch
            {
                JsonConfigurationProvider => configFile,
                EnvironmentVariablesConfigurationProvider => $"environment variable {EnvironmentPrefix}{key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant()}",
                MemoryConfigurationProvider => $"--set {field}",
                _ => null,
            };
        }
        return null;
    }
}
