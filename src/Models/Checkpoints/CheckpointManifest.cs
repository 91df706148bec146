namespace ActorRL.Models.Checkpoints;

/// <summary>One file of a checkpoint as the manifest records it.</summary>
/// <param name="Name">The file name, relative to the checkpoint directory.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">The SHA-256 of its contents, as lowercase hex.</param>
public sealed record CheckpointFile(string Name, long Bytes, string Sha256);

/// <summary>
/// The contents of <c>manifest.json</c>, written last into a checkpoint: what a complete checkpoint
/// holds, so that a missing, truncated or altered file is detected before anything is restored.
/// </summary>
/// <param name="FormatVersion">The layout version (<see cref="Checkpoint.FormatVersion"/> when written by this build).</param>
/// <param name="CreatedUtc">When the save finished writing the files.</param>
/// <param name="Files">Every other file of the checkpoint.</param>
public sealed record CheckpointManifest(int FormatVersion, DateTimeOffset CreatedUtc, IReadOnlyList<CheckpointFile> Files)
{
    /// <summary>The total size of the listed files.</summary>
    public long TotalBytes => Files.Sum(f => f.Bytes);
}
