using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ActorRL.Models.Objectives;

/// <summary>
/// Objectives by name: <c>ppo</c>, <c>rto</c>, <c>drto</c>, <c>rcfd</c>, <c>ropo</c>, <c>dpo</c>. Config picks one
/// with <c>objective.name</c> and sets its options; adding an objective adds one line here.
/// </summary>
public static class ObjectiveRegistry
{
    private static readonly Dictionary<string, Type> Options = new(StringComparer.Ordinal)
    {
        ["ppo"] = typeof(PpoOptions),
        ["rto"] = typeof(RtoOptions),
        ["drto"] = typeof(DrtoOptions),
        ["rcfd"] = typeof(RcfdOptions),
        ["ropo"] = typeof(RopoOptions),
        ["dpo"] = typeof(DpoOptions),
    };

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // A nested options object in the JSON fills in the parent's default instance rather than replacing it with a
        // fresh one: {"ppo": {"entropy_coefficient": 0.01}} under rcfd keeps RCfD's β = 0 and ε = 0.3.
        PreferredObjectCreationHandling = JsonObjectCreationHandling.Populate,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The registered names.</summary>
    public static IReadOnlyCollection<string> Names => Options.Keys;

    /// <summary>The options type of an objective.</summary>
    /// <exception cref="KeyNotFoundException">No objective has that name; the message lists the known ones.</exception>
    public static Type OptionsType(string name) =>
        Options.TryGetValue(name, out Type? type) ? type
        : throw new KeyNotFoundException($"unknown objective '{name}'; known: {string.Join(", ", Options.Keys)}");

    /// <summary>The default options of an objective.</summary>
    public static IObjectiveOptions Defaults(string name) => (IObjectiveOptions)Activator.CreateInstance(OptionsType(name))!;

    /// <summary>
    /// Binds an objective's options from JSON (snake_case names, e.g. <c>{"alpha": 14, "noise_rate": 0.2}</c>; missing
    /// options keep their defaults, unknown ones are refused) and validates them.
    /// </summary>
    /// <exception cref="InvalidOptionException">An option is unknown, malformed or out of range; the message names it.</exception>
    public static IObjectiveOptions Bind(string name, JsonNode? options)
    {
        Type type = OptionsType(name);
        IObjectiveOptions bound;
        try
        {
            bound = options is null ? Defaults(name) : (IObjectiveOptions)options.Deserialize(type, Json)!;
        }
        catch (JsonException e)
        {
            throw new InvalidOptionException(e.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : name, e.Message);
        }
        bound.Validate();
        return bound;
    }
}
