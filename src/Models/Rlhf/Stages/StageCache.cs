using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Nn;

namespace ActorRL.Models.Rlhf.Stages;

/// <summary>
/// Where a stage's result lives, so that a later run with the same inputs reuses it instead of training again:
/// <c>{runDir}/stages/{stage}-{key}</c>, the key being the first 16 hex digits of the SHA-256 of a canonical JSON of
/// everything that determines the stage's model (stage name, its settings, the model's size, the task, the seed and
/// the key of the stage it starts from). A cached result is trusted only when its checkpoint verifies.
/// </summary>
public static class StageCache
{
    /// <summary>The folder of stage results under a run directory.</summary>
    public const string Folder = "stages";

    /// <summary>Hex digits of the key.</summary>
    public const int KeyLength = 16;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// The key of a stage: 16 lowercase hex digits of the SHA-256 of the canonical JSON (object members sorted by name,
    /// no white space, doubles in their shortest round-trip form) of its inputs.
    /// </summary>
    /// <param name="stage">The stage name (<c>sft</c>, <c>reward_model</c>, <c>dpo</c>).</param>
    /// <param name="settings">The stage's settings record (every public property counts).</param>
    /// <param name="model">The model's size.</param>
    /// <param name="taskName">The task's config name.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="upstreamKey">The key of the stage this one starts from, or null for none.</param>
    public static string Key(string stage, object settings, GptConfig model, string taskName, int seed, string? upstreamKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(stage);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(taskName);
        var inputs = new JsonObject
        {
            ["stage"] = stage,
            ["settings"] = JsonSerializer.SerializeToNode(settings, settings.GetType(), Json),
            ["model"] = JsonSerializer.SerializeToNode(model, Json),
            ["task"] = taskName,
            ["seed"] = seed,
            ["upstream"] = upstreamKey,
        };
        string canonical = Canonical(inputs)!.ToJsonString();
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
        return Convert.ToHexStringLower(hash)[..KeyLength];
    }

    /// <summary>The directory of a stage's result: <c>{runDir}/stages/{stage}-{key}</c>.</summary>
    public static string Directory(string runDir, string stage, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDir);
        return Path.Combine(runDir, Folder, $"{stage}-{key}");
    }

    /// <summary>The key of a stage result, read from its directory's name (<c>{stage}-{key}</c>).</summary>
    /// <exception cref="ArgumentException">The directory is not named like a stage result.</exception>
    public static string KeyOf(StageResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(result.CheckpointDir));
        string prefix = result.Stage + "-";
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || name.Length != prefix.Length + KeyLength)
        {
            throw new ArgumentException($"{result.CheckpointDir} is not a stage result named {prefix}<{KeyLength} hex digits>", nameof(result));
        }
        return name[prefix.Length..];
    }

    /// <summary>
    /// <paramref name="directory"/> when it holds a checkpoint that verifies, else null. A directory that exists but
    /// fails verification (an altered, truncated or unreadable file) is reported through <paramref name="warning"/>
    /// and deleted, so that the stage trains again and saves under the same name.
    /// </summary>
    public static string? TryReuse(string directory, Action<string>? warning)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory)) return null;
        try
        {
            Checkpoint.Verify(directory);
            return directory;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warning?.Invoke($"cached stage result {directory} is unusable and is trained again: {e.Message}");
            System.IO.Directory.Delete(directory, recursive: true);
            return null;
        }
    }

    /// <summary>
    /// Saves a finished stage's checkpoint atomically (<see cref="Checkpoint.Save"/>). Should another process have
    /// saved the same stage in the meantime, its verified result is kept instead.
    /// </summary>
    public static void Save(string directory, CheckpointContents contents)
    {
        try
        {
            Checkpoint.Save(directory, contents);
        }
        catch (IOException) when (System.IO.Directory.Exists(directory))
        {
            Checkpoint.Verify(directory);
        }
    }

    /// <summary>
    /// Reuses the result in <paramref name="dir"/> when it verifies, else trains it with <paramref name="train"/>
    /// (which must save a checkpoint into the directory it is given) and times either.
    /// </summary>
    internal static StageResult ReuseOrTrain(string stage, string dir, Action<string>? warning, Action<string> train)
    {
        var clock = Stopwatch.StartNew();
        if (TryReuse(dir, warning) is { } reused) return new StageResult(stage, reused, true, clock.Elapsed);
        train(dir);
        return new StageResult(stage, dir, false, clock.Elapsed);
    }

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Canonical)]),
        null => null,
        _ => JsonNode.Parse(node.ToJsonString()),
    };
}
