namespace ActorRL.Models.Checkpoints;

/// <summary>
/// A checkpoint directory that must not be resumed from: its manifest is missing or unreadable, or a
/// file it lists is missing, has another size or another SHA-256, or does not parse.
/// </summary>
public sealed class CheckpointCorruptException : IOException
{
    /// <summary>Creates the exception for <paramref name="directory"/>, naming the file at fault if there is one.</summary>
    public CheckpointCorruptException(string directory, string? fileName, string message, Exception? innerException = null)
        : base(fileName is null ? $"checkpoint {directory}: {message}" : $"checkpoint {directory}: {fileName}: {message}", innerException)
    {
        Directory = directory;
        FileName = fileName;
    }

    /// <summary>The checkpoint directory.</summary>
    public string Directory { get; }

    /// <summary>The file at fault (relative to <see cref="Directory"/>), or null when the directory as a whole is.</summary>
    public string? FileName { get; }
}
