using System.Text.Json;
using System.Text.Json.Nodes;

namespace ActorRL.Models.Checkpoints;

/// <summary>Reads and writes one JSON file of a checkpoint; every complaint names the checkpoint, the file and the field.</summary>
internal sealed class CheckpointJson(string directory, string file)
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    /// <summary>Writes <paramref name="node"/> durably as <paramref name="name"/> in <paramref name="directory"/>.</summary>
    public static CheckpointFile Write(string directory, string name, JsonNode node) =>
        DurableFiles.Write(directory, name, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, Indented);
            node.WriteTo(writer);
        });

    /// <summary>Parses the file; a missing file or invalid JSON is corruption.</summary>
    public JsonNode Parse()
    {
        string path = Path.Combine(directory, file);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw Corrupt("missing", e);
        }
        try
        {
            return JsonNode.Parse(bytes) ?? throw Corrupt("holds null instead of JSON");
        }
        catch (JsonException e)
        {
            throw Corrupt($"is not valid JSON: {e.Message}", e);
        }
    }

    public CheckpointCorruptException Corrupt(string message, Exception? inner = null) => new(directory, file, message, inner);

    public JsonObject Object(JsonNode? node, string path) =>
        node as JsonObject ?? throw Corrupt($"{path} is missing or not an object");

    public JsonArray Array(JsonObject parent, string field, string path) =>
        parent[field] as JsonArray ?? throw Corrupt($"{Join(path, field)} is missing or not an array");

    public string String(JsonObject parent, string field, string path) =>
        parent[field] is JsonValue v && v.TryGetValue(out string? s) ? s : throw Corrupt($"{Join(path, field)} is missing or not a string");

    public long Int64(JsonObject parent, string field, string path) =>
        parent[field] is JsonValue v && v.TryGetValue(out long x) ? x : throw Corrupt($"{Join(path, field)} is missing or not an integer");

    public double Double(JsonNode? node, string path) =>
        node is JsonValue v && v.TryGetValue(out double x) ? x : throw Corrupt($"{path} is missing or not a number");

    public bool Boolean(JsonObject parent, string field, string path) =>
        parent[field] is JsonValue v && v.TryGetValue(out bool b) ? b : throw Corrupt($"{Join(path, field)} is missing or not true/false");

    private static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";
}
