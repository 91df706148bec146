using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using ActorRL.Actors.Rlhf.Journal;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Rlhf;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Rlhf;

// Checkpoints of the RL stage: every run.checkpoint_every steps, at the end and on stop, under
// run.dir/checkpoints/step-NNNNNN, keeping the newest run.keep_checkpoints. Each holds the learner's state (weights,
// optimizer, random generators, step, policy version) and the coordinator's data cursor, which is all a run needs to
// continue exactly where the checkpoint was taken (settings.ResumeFrom).
internal sealed partial class Coordinator
{
    private const string BestMetricKey = "best_metric_value";
    private const string PromptCursorKey = "prompt_cursor", SampleCursorKey = "next_sample_id", PairCursorKey = "pair_cursor", RopoPairsKey = "ropo_pairs";

    private RunHistory history = RunHistory.Empty;
    private JournaledCheckpoint? resumePoint;
    private (long Prompt, long Sample) trainedCursor = (0, 1);
    private long trainedPairCursor;
    private List<PreferenceExample>? restoredPairs;
    private IReadOnlyDictionary<string, double> lastStepMetrics = new Dictionary<string, double>();
    private long checkpointStep = -1;
    private string? checkpointDir;
    private List<Action<string>>? checkpointWaiters;

    private string CheckpointRoot => Path.Combine(settings.RunDir, "checkpoints");

    private void CheckpointIfDue()
    {
        if (settings.CheckpointEvery > 0 && stepsDone % settings.CheckpointEvery == 0 && stepsDone < settings.Steps && !stopRequested)
        {
            WriteCheckpoint(_ => { });
        }
    }

    private Dictionary<string, string> CheckpointState()
    {
        var state = new Dictionary<string, string>
        {
            ["objective"] = settings.Objective,
            ["task"] = settings.Task,
            [PromptCursorKey] = trainedCursor.Prompt.ToString(CultureInfo.InvariantCulture),
            [SampleCursorKey] = trainedCursor.Sample.ToString(CultureInfo.InvariantCulture),
            [PairCursorKey] = trainedPairCursor.ToString(CultureInfo.InvariantCulture),
        };
        // Each checkpoint records its own value of the kept-best metric, so retention can compare them across resumes.
        if (settings.KeepBestMetric.Length > 0 && lastStepMetrics.TryGetValue(settings.KeepBestMetric, out double value) && double.IsFinite(value))
        {
            state[BestMetricKey] = value.ToString("R", CultureInfo.InvariantCulture);
        }
        // ROPO's training set changes at every round's end (pairs dropped, rejection-sampled ones accepted).
        if (settings.Objective == "ropo") state[RopoPairsKey] = JsonSerializer.Serialize(pairSet);
        return state;
    }

    /// <summary>Checkpoints the current step (once per step: later callers wait for the same write).</summary>
    private void WriteCheckpoint(Action<string> then)
    {
        long step = stepsDone;
        if (checkpointStep == step)
        {
            // The checkpoint of this step is committed (no waiters left) or on its way (wait for it).
            if (checkpointWaiters is null) then(checkpointDir!);
            else checkpointWaiters.Add(then);
            return;
        }
        string dir = Path.Combine(CheckpointRoot, $"step-{step:D6}");
        (checkpointStep, checkpointDir) = (step, dir);
        if (Directory.Exists(dir))
        {
            if (resumePoint is { } resumed && Path.GetFullPath(resumed.Directory) == Path.GetFullPath(dir))
            {
                then(dir);
                return;
            }
            // Only a checkpoint the resume skipped as unusable can sit at a step this run has not checkpointed yet.
            Log.LogWarning("replacing {Checkpoint}, which an earlier run left unusable", dir);
            Directory.Delete(dir, recursive: true);
        }
        // Each checkpoint has its own waiters: a slow commit of step k must not answer those waiting for step k + 1.
        var waiters = new List<Action<string>> { then };
        checkpointWaiters = waiters;
        Dictionary<string, string> state = CheckpointState();
        long version = publishedVersion;
        Request<CheckpointWritten>("learner", id => new CheckpointRequested(id, step, dir, state), settings.Deadlines.Update, written =>
        {
            // Complete on disk (renamed into place); committed once the journal has it: only then may a run resume from it.
            var committed = new CheckpointCommitted
            {
                Step = step,
                Directory = written.Directory,
                ManifestSha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(written.Directory, Checkpoint.ManifestFileName)))),
                PolicyVersion = version,
            };
            Persist(committed, e =>
            {
                history = history.Apply(e);
                if (ReferenceEquals(checkpointWaiters, waiters)) checkpointWaiters = null;
                Retain();
                foreach (Action<string> waiter in waiters) waiter(written.Directory);
            });
        });
    }

    /// <summary>Journals a completed step with the samples it trained on, then continues: a step is complete (and
    /// reported) once the journal holds it.</summary>
    private void Journal(long step, IEnumerable<long> sampleIds, IReadOnlyDictionary<string, double> metrics, Action then)
    {
        var completed = new StepCompleted { Step = step, PolicyVersion = publishedVersion };
        completed.SampleIds.AddRange(sampleIds);
        foreach (var (name, value) in metrics) completed.Metrics[name] = value;
        Persist(completed, e =>
        {
            history = history.Apply(e);
            then();
        });
    }

    /// <summary>Journals a change of the objective's state (ROPO's round end).</summary>
    private void Journal(ObjectiveStateChanged changed) => Persist(changed, e => history = history.Apply(e));

    /// <summary>Once recovered: the newest committed checkpoint that verifies is where the RL stage continues.</summary>
    private void ChooseResumePoint()
    {
        resumePoint = history.ResumePoint((bad, error) =>
            Log.LogWarning("checkpoint {Checkpoint} cannot be resumed from: {Error}", bad.Directory, error.Message));
        if (history.Attempts > 0 && resumePoint is null)
        {
            Log.LogWarning("the run journal holds {Steps} steps but no usable checkpoint: the RL stage starts over", history.Steps.Count);
        }
    }

    /// <summary>
    /// Deletes all but the newest <see cref="RlhfRunSettings.KeepCheckpoints"/> step checkpoints and, when a metric is
    /// named, the one with its best recorded value.
    /// </summary>
    private void Retain()
    {
        if (!Directory.Exists(CheckpointRoot)) return;
        var complete = Directory.EnumerateDirectories(CheckpointRoot, "step-*")
            .Where(d => !Path.GetFileName(d).Contains(Checkpoint.TemporaryMarker, StringComparison.Ordinal))
            .OrderByDescending(d => d, StringComparer.Ordinal)
            .ToList();
        var older = complete.Skip(Math.Max(1, settings.KeepCheckpoints)).ToList();
        if (settings.KeepBestMetric.Length > 0)
        {
            var scored = complete.Select(d => (Dir: d, Value: RecordedBest(d))).Where(c => c.Value is not null).ToList();
            if (scored.Count > 0)
            {
                string best = (settings.KeepBestHigher ? scored.MaxBy(c => c.Value) : scored.MinBy(c => c.Value)).Dir;
                older.Remove(best);
            }
        }
        foreach (string old in older)
        {
            try
            {
                Directory.Delete(old, recursive: true);
            }
            catch (IOException e)
            {
                Log.LogWarning("could not delete the old checkpoint {Checkpoint}: {Error}", old, e.Message);
            }
        }
    }

    private static double? RecordedBest(string dir)
    {
        try
        {
            return LearnerCheckpoint.Read(dir).Extra.TryGetValue(BestMetricKey, out string? text) ? double.Parse(text, CultureInfo.InvariantCulture) : null;
        }
        catch (Exception e) when (e is IOException or JsonException or FormatException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Takes the step, the policy version and the data cursor from the checkpoint the run continues from, and from the
    /// journal the samples its steps trained on (never trained again) and the objective's state (ROPO's rounds).
    /// </summary>
    private void ResumeFrom(JournaledCheckpoint point)
    {
        string dir = point.Directory;
        LearnerCheckpoint state = LearnerCheckpoint.Read(dir);
        long Cursor(string key) => state.Extra.TryGetValue(key, out string? text)
            ? long.Parse(text, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"checkpoint {dir} lacks {key}");
        stepsDone = state.Step;
        publishedVersion = state.Version;
        nextGenerationStep = stepsDone + 1;
        trainedCursor = (Cursor(PromptCursorKey), Cursor(SampleCursorKey));
        (promptCursor, nextSampleId) = trainedCursor;
        trainedPairCursor = Cursor(PairCursorKey);
        (checkpointStep, checkpointDir) = (stepsDone, dir);
        if (state.Extra.TryGetValue(RopoPairsKey, out string? pairs))
        {
            restoredPairs = JsonSerializer.Deserialize<List<PreferenceExample>>(pairs)
                ?? throw new InvalidOperationException($"checkpoint {dir}: {RopoPairsKey} is empty");
        }
        if (state.Step != point.Step || state.Version != point.PolicyVersion)
        {
            throw new InvalidOperationException(
                $"checkpoint {dir} holds step {state.Step}, version {state.Version}; the run journal committed step {point.Step}, version {point.PolicyVersion}");
        }
        var trained = history.Steps.Where(s => s.Step <= stepsDone).ToList();
        if (!IsPreferenceObjective)
        {
            foreach (long id in trained.SelectMany(s => s.SampleIds))
            {
                if (id >= trainedCursor.Sample)
                {
                    throw new InvalidOperationException($"the run journal has sample {id} trained by step {stepsDone}, past checkpoint {dir}'s cursor {trainedCursor.Sample}");
                }
                trainedSamples.Add(id);
            }
        }
        RestoreObjectiveState(trained);
        Log.LogInformation("resuming from {Checkpoint}: step {Step}, policy version {Version}, {Samples} samples trained on so far",
            dir, stepsDone, publishedVersion, trainedSamples.Count);
    }
}
