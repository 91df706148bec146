using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorRL.Host.Cli;

/// <summary>Writes a command's facts as JSON (snake_case names) for scripts and CI to read.</summary>
public static class JsonReport
{
    /// <summary>The serializer settings every report uses.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        // Files for scripts, not for HTML: keep '+' in timestamps and paths readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Serializes <paramref name="report"/> to <paramref name="file"/>, creating its folder if needed.</summary>
    public static async Task WriteAsync<T>(FileInfo file, T report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            file.Directory?.Create();
            await using FileStream stream = file.Create();
            await JsonSerializer.SerializeAsync(stream, report, Options, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException($"cannot write {file}: {e.Message}", e);
        }
    }
}
