using System.Security.Cryptography;
using ActorRL.Actors.Persistence;
using ActorRL.Models.Checkpoints;

namespace ActorRL.Actors.Rlhf.Journal;

/// <summary>A committed step: the samples it trained on.</summary>
/// <param name="Step">The step.</param>
/// <param name="SampleIds">Its samples.</param>
/// <param name="PolicyVersion">The version it published.</param>
/// <param name="Metrics">Its metrics.</param>
public sealed record JournaledStep(long Step, IReadOnlyList<long> SampleIds, long PolicyVersion, IReadOnlyDictionary<string, double> Metrics);

/// <summary>A committed checkpoint.</summary>
/// <param name="Step">Its step.</param>
/// <param name="Directory">Where it is.</param>
/// <param name="ManifestSha256">SHA-256 of its manifest when it was committed.</param>
/// <param name="PolicyVersion">Its policy version.</param>
public sealed record JournaledCheckpoint(long Step, string Directory, string ManifestSha256, long PolicyVersion);

/// <summary>
/// A run's history as its journal tells it, after replaying every attempt: steps an attempt journaled after the
/// checkpoint the next attempt resumed from are dropped (they were trained again), so each committed sample appears once.
/// </summary>
/// <param name="Steps">The steps of the run's history, ascending.</param>
/// <param name="Checkpoints">The committed checkpoints, ascending by step.</param>
/// <param name="Attempts">How many times the RL stage started (1 + resumes).</param>
/// <param name="ObjectiveStates">The objective's state changes (ROPO's round ends), ascending by step.</param>
/// <param name="Finished">Whether the last attempt reached the run's last step (nothing is left to continue).</param>
public sealed record RunHistory(
    IReadOnlyList<JournaledStep> Steps, IReadOnlyList<JournaledCheckpoint> Checkpoints, int Attempts, IReadOnlyList<ObjectiveStateChanged> ObjectiveStates,
    bool Finished = false)
{
    /// <summary>The history of no run.</summary>
    public static RunHistory Empty { get; } = new([], [], 0, []);

    /// <summary>
    /// RCfD's demonstration rewards by prompt id, as first computed (one per reward model). Kept across attempts: the
    /// reward models are frozen, so a prompt's demonstration rewards never change within a run.
    /// </summary>
    public IReadOnlyDictionary<long, double[]> DemonstrationRewards { get; init; } = new Dictionary<long, double[]>();

    /// <summary>The history after <paramref name="e"/>.</summary>
    public RunHistory Apply(object e) => e switch
    {
        RunStarted s => this with
        {
            Steps = [.. Steps.Where(x => x.Step <= s.ResumedFromStep)],
            Checkpoints = [.. Checkpoints.Where(c => c.Step <= s.ResumedFromStep)],
            Attempts = Attempts + 1,
            ObjectiveStates = [.. ObjectiveStates.Where(o => o.Step <= s.ResumedFromStep)],
            Finished = false,
        },
        DemonstrationRewardsCached d => this with { DemonstrationRewards = WithDemonstrationRewards(d) },
        RunFinished => this with { Finished = true },
        StepCompleted s => this with { Steps = [.. Steps.Where(x => x.Step != s.Step), new JournaledStep(s.Step, [.. s.SampleIds], s.PolicyVersion, new Dictionary<string, double>(s.Metrics))] },
        CheckpointCommitted c => this with
        {
            Checkpoints = [.. Checkpoints.Where(x => x.Step != c.Step), new JournaledCheckpoint(c.Step, c.Directory, c.ManifestSha256, c.PolicyVersion)],
        },
        ObjectiveStateChanged o => this with { ObjectiveStates = [.. ObjectiveStates.Where(x => x.Step != o.Step), o] },
        _ => this,
    };

    private Dictionary<long, double[]> WithDemonstrationRewards(DemonstrationRewardsCached cached)
    {
        if (cached.Models < 1 || cached.Rewards.Count != cached.PromptIds.Count * cached.Models)
        {
            throw new InvalidDataException($"DemonstrationRewardsCached of step {cached.Step}: {cached.Rewards.Count} rewards for {cached.PromptIds.Count} prompts of {cached.Models} reward models");
        }
        var all = new Dictionary<long, double[]>(DemonstrationRewards);
        for (int p = 0; p < cached.PromptIds.Count; p++)
        {
            all[cached.PromptIds[p]] = [.. cached.Rewards.Skip(p * cached.Models).Take(cached.Models)];
        }
        return all;
    }

    /// <summary>
    /// The checkpoint a run continues from: the newest committed one that is still on disk and verifies. A committed one
    /// that fails verification is passed to <paramref name="unusable"/> and the next older one tried; one that retention
    /// deleted is passed over. A checkpoint on disk that was never committed (the process died between its rename and
    /// the journal write) is never chosen. Null when none is usable: the RL stage starts over.
    /// </summary>
    public JournaledCheckpoint? ResumePoint(Action<JournaledCheckpoint, Exception> unusable)
    {
        ArgumentNullException.ThrowIfNull(unusable);
        foreach (JournaledCheckpoint committed in Checkpoints.OrderByDescending(c => c.Step))
        {
            if (!Directory.Exists(committed.Directory)) continue;
            try
            {
                Checkpoint.Verify(committed.Directory);
                // The manifest itself must be the one the journal committed (Verify checks the files against it).
                string manifest = Path.Combine(committed.Directory, Checkpoint.ManifestFileName);
                string sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(manifest)));
                if (committed.ManifestSha256.Length > 0 && sha256 != committed.ManifestSha256)
                {
                    throw new CheckpointCorruptException(committed.Directory, Checkpoint.ManifestFileName,
                        $"SHA-256 {sha256} differs from the {committed.ManifestSha256} the run journal committed");
                }
                return committed;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                unusable(committed, e);
            }
        }
        return null;
    }
}

/// <summary>The run journal's names, serializer and reader.</summary>
public static class RunJournal
{
    /// <summary>The journal's file in the run directory (SQLite).</summary>
    public const string FileName = "journal.db";

    /// <summary>The coordinator's persistence id.</summary>
    public const string PersistenceId = "rlhf-run";

    /// <summary>The serializer of the run journal's events.</summary>
    public static ProtobufEventSerializer Serializer() => new ProtobufEventSerializer()
        .Register<RunStarted>("rlhf.run-started")
        .Register<StepCompleted>("rlhf.step-completed")
        .Register<CheckpointCommitted>("rlhf.checkpoint-committed")
        .Register<ObjectiveStateChanged>("rlhf.objective-state-changed")
        .Register<DemonstrationRewardsCached>("rlhf.demonstration-rewards-cached")
        .Register<RunFinished>("rlhf.run-finished");

    /// <summary>The history journaled in <paramref name="runDir"/>, or <see cref="RunHistory.Empty"/> when it has no journal.</summary>
    public static async Task<RunHistory> ReadAsync(string runDir, CancellationToken cancellationToken = default)
    {
        string path = Path.Combine(runDir, FileName);
        if (!File.Exists(path)) return RunHistory.Empty;
        await using SqlPersistence stores = SqlPersistence.OpenSqlite(path);
        return await ReadAsync(stores.Journal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The history journaled in <paramref name="journal"/>.</summary>
    public static async Task<RunHistory> ReadAsync(IJournal journal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ProtobufEventSerializer serializer = Serializer();
        long highest = await journal.HighestSequenceNrAsync(PersistenceId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<PersistentRepr> events = await journal.ReadAsync(PersistenceId, 1, highest, cancellationToken).ConfigureAwait(false);
        return events.Aggregate(RunHistory.Empty, (history, e) => history.Apply(serializer.Deserialize(e.Manifest, e.Payload)));
    }
}
