using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActorRL.Host.Hosting;
using ActorRL.Models.Objectives;
using Microsoft.Extensions.Configuration;

namespace ActorRL.Host.Configuration;

/// <summary>
/// Section <c>objective</c>: <c>name</c> picks an objective of <see cref="ObjectiveRegistry"/> and the other keys are
/// that objective's options in snake_case (<c>{"name": "ropo", "alpha": 14, "noise_rate": 0.2}</c>).
/// </summary>
/// <param name="Name">The registry name (<c>ppo</c>, <c>rto</c>, <c>drto</c>, <c>rcfd</c>, <c>ropo</c>, <c>dpo</c>).</param>
/// <param name="Options">The bound and validated options of that objective.</param>
public sealed record ObjectiveConfig(string Name, IObjectiveOptions Options)
{
    /// <summary>The configuration section.</summary>
    public const string Section = "objective";

    /// <summary>Binds and validates the section with <see cref="ObjectiveRegistry.Bind"/>.</summary>
    /// <exception cref="InvalidConfigurationException">No or an unknown name (the message lists the known ones), or an
    /// option unknown, malformed or out of range (the message names <c>objective.</c> and the option's path).</exception>
    public static ObjectiveConfig Bind(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        string known = string.Join(", ", ObjectiveRegistry.Names);
        string? name = section["name"];
        if (string.IsNullOrWhiteSpace(name)) throw new InvalidConfigurationException("objective.name", $"is required (known: {known})");
        if (!ObjectiveRegistry.Names.Contains(name)) throw new InvalidConfigurationException("objective.name", $"unknown objective '{name}'; known: {known}");

        var options = new JsonObject();
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (!string.Equals(child.Key, "name", StringComparison.OrdinalIgnoreCase)) options[child.Key.ToLowerInvariant()] = ToJson(child);
        }
        try
        {
            return new ObjectiveConfig(name, ObjectiveRegistry.Bind(name, options));
        }
        catch (InvalidOptionException e)
        {
            throw new InvalidConfigurationException($"{Section}.{OptionPath(e.ParamName ?? name, options)}", Problem(e));
        }
    }

    // Configuration values are strings; the registry binds typed JSON, so numbers and booleans are turned back into
    // JSON literals and sections whose keys are 0, 1, 2, ... into arrays.
    private static JsonNode? ToJson(IConfigurationSection section)
    {
        if (section.Value is { } text) return Literal(text);
        IConfigurationSection[] children = section.GetChildren().ToArray();
        if (children.Length > 0 && children.Select((c, i) => c.Key == i.ToString(CultureInfo.InvariantCulture)).All(x => x))
        {
            return new JsonArray(children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)).Select(ToJson).ToArray());
        }
        var node = new JsonObject();
        foreach (IConfigurationSection child in children) node[child.Key.ToLowerInvariant()] = ToJson(child);
        return node;
    }

    private static JsonNode Literal(string text)
    {
        // The JSON provider stores booleans as "True" and "False".
        if (bool.TryParse(text, out bool flag)) return JsonValue.Create(flag);
        try
        {
            if (JsonNode.Parse(text) is JsonValue value && value.GetValueKind() is JsonValueKind.Number)
            {
                return value;
            }
        }
        catch (JsonException)
        {
            // Not a JSON literal: an enum name or other text, passed on as a string.
        }
        return JsonValue.Create(text);
    }

    // The registry names an option by its JSON path (rto.ppo.clip_epsilon) when parsing fails, and by the C# property
    // (ClipEpsilon) when Validate refuses it; the latter is found in the bound JSON to give the full path.
    private static string OptionPath(string option, JsonObject options)
    {
        string snake = ConfigPath.SnakeCase(option);
        if (option.Contains('.', StringComparison.Ordinal) || option.Contains('_', StringComparison.Ordinal)) return snake;
        return Find(options, snake, "") ?? snake;
    }

    private static string? Find(JsonObject node, string key, string prefix)
    {
        foreach ((string name, JsonNode? child) in node)
        {
            if (name == key) return prefix + name;
            if (child is JsonObject nested && Find(nested, key, $"{prefix}{name}.") is { } found) return found;
        }
        return null;
    }

    // "objective option 'Alpha': must be > 2, not 1.5 (Parameter 'Alpha')" -> "must be > 2, not 1.5".
    private static string Problem(InvalidOptionException e)
    {
        string message = e.Message;
        int suffix = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        if (suffix >= 0) message = message[..suffix];
        int prefix = message.IndexOf("': ", StringComparison.Ordinal);
        return prefix >= 0 ? message[(prefix + 3)..] : message;
    }
}
