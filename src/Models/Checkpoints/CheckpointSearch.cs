namespace ActorRL.Models.Checkpoints;

/// <summary>A directory that <see cref="Checkpoint.FindLatest"/> looked at and would not resume from.</summary>
/// <param name="Directory">Its full path.</param>
/// <param name="Reason">Why, in words fit for a log line.</param>
public sealed record SkippedCheckpoint(string Directory, string Reason);

/// <summary>The answer of <see cref="Checkpoint.FindLatest"/>.</summary>
/// <param name="Latest">The newest checkpoint whose manifest verified, or null when there is none.</param>
/// <param name="Skipped">Directories passed over, newest first, with the reason: temporary directories of saves
/// that never finished, and checkpoints newer than <paramref name="Latest"/> that failed verification. Log them.</param>
public sealed record CheckpointSearch(string? Latest, IReadOnlyList<SkippedCheckpoint> Skipped);
