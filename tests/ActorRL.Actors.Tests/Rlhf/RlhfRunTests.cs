using ActorRL.Actors.Persistence;
using ActorRL.Actors.Rlhf;
using ActorRL.Actors.Rlhf.Journal;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf.Stages;
using ActorRL.Models.Rlhf.Tasks;
using ActorRL.Models.Tensors;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Tests.Rlhf;

[Collection(RlhfCollection.Name)]
public sealed class RlhfRunTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("actorrl-rlhf-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task SyncDrtoRunTrainsEveryStepOnFreshSamplesAndEvaluatesBeforeAndAfter()
    {
        var settings = SmokeRun.Settings(Path.Combine(root, "run"), "drto");
        var run = await SmokeRun.RunAsync(settings);

        Assert.False(run.Result.Cancelled);
        Assert.Equal(3, run.Result.StepsCompleted);
        Assert.Equal(3, run.Result.PolicyVersion);
        Assert.Equal([1L, 2, 3], run.Steps.Select(s => s.Step));
        Assert.Equal([1L, 2, 3], run.Steps.Select(s => s.PolicyVersion));
        foreach (RlStepCompleted step in run.Steps)
        {
            foreach (string metric in new[] { "reward_mean", "kl", "entropy", "clip_fraction", "drto_temperature", "drto_ess", "time_generate_s",
                "time_score_s", "time_objective_s", "time_update_s", "time_publish_s", "tokens_per_s", "learner_idle_fraction", "restarts" })
            {
                Assert.True(step.Metrics.ContainsKey(metric), $"step {step.Step} lacks {metric}");
            }
            Assert.Equal(0, step.Metrics["staleness_mean"]);
        }
        // 2 prompts × 2 samples per step, every sample id trained exactly once.
        Assert.All(run.Trained, t => Assert.Equal(4, t.SampleIds.Count));
        var ids = run.Trained.SelectMany(t => t.SampleIds).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());

        Assert.Equal(["sft", "dpo"], run.Result.Stages.Select(s => s.Stage));
        Checkpoint.Verify(run.Result.CheckpointDir);
        Assert.Contains(run.Result.Before, f => f.Name == "accuracy in-distribution");
        Assert.Equal(run.Result.Before.Select(f => f.Name), run.Result.After.Select(f => f.Name));
        Assert.Empty(run.Restarts);
    }

    [Fact]
    public async Task ASyncRunWithTwoRolloutWorkersIsTheSameRunTwice()
    {
        // Both workers sample at once on their own threads; each chunk draws from its own (seed, step, chunk) stream, so
        // the run's samples, and with them the trained weights, do not depend on how the two interleave.
        async Task<(IReadOnlyList<double> Rewards, string Weights)> Run(string name)
        {
            var settings = SmokeRun.Settings(Path.Combine(root, name), "ppo", steps: 3) with
            {
                RolloutWorkers = 2,
                PromptsPerStep = 4,
                Generation = new GenerationOptions { MaxNewTokens = 24, Temperature = 1.5 },
            };
            var run = await SmokeRun.RunAsync(settings);
            Assert.Equal(3, run.Result.StepsCompleted);
            string weights = Checkpoint.Verify(run.Result.CheckpointDir).Files.Single(f => f.Name == "model.safetensors").Sha256;
            return ([.. run.Steps.Select(s => s.Metrics["response_length"])], weights);
        }

        var first = await Run("first");
        var second = await Run("second");
        Assert.Equal(first.Rewards, second.Rewards);
        Assert.Equal(first.Weights, second.Weights);
    }

    [Fact]
    public async Task AsyncRunKeepsEverySampleWithinTheStalenessBound()
    {
        var settings = SmokeRun.Settings(Path.Combine(root, "run"), "ppo", steps: 4) with { Schedule = RolloutSchedule.Async, Staleness = 1, RolloutWorkers = 2 };
        var run = await SmokeRun.RunAsync(settings);

        Assert.Equal(4, run.Result.StepsCompleted);
        Assert.All(run.Steps, s => Assert.InRange(s.Metrics["staleness_mean"], 0, 1));
        Assert.All(run.Steps, s => Assert.Equal(0, s.Metrics["samples_dropped_stale"]));
        var ids = run.Trained.SelectMany(t => t.SampleIds).ToList();
        Assert.Equal(16, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task ALearnerThatFailsMidUpdateIsUndoneSoTheRunEndsWithTheWeightsOfAnUninterruptedOne()
    {
        // Two optimizer steps per update; at step 2 the learner throws after the first, with AdamW's moments and the
        // weights already moved. Restarted, it undoes that half-update, and the re-sent batch trains as the first time.
        async Task<(string Weights, RlhfRunResult Result)> Run(string name, FaultPlan faults)
        {
            var settings = SmokeRun.Settings(Path.Combine(root, name), "ppo", steps: 3) with { UpdateEpochs = 2, Faults = faults };
            var run = await SmokeRun.RunAsync(settings);
            Assert.Equal(3, run.Result.StepsCompleted);
            return (Checkpoint.Verify(run.Result.CheckpointDir).Files.Single(f => f.Name == "model.safetensors").Sha256, run.Result);
        }

        var clean = await Run("clean", FaultPlan.None);
        var faulted = await Run("faulted", new FaultPlan(LearnerMidUpdateAtStep: 2));
        Assert.Equal(0, clean.Result.Restarts);
        Assert.Equal(1, faulted.Result.Restarts);
        Assert.Equal(clean.Weights, faulted.Weights);
    }

    [Fact]
    public async Task ADivergedUpdateEndsTheRunAtOnceNamingTheLearnerAndKeepsWhatWasCommitted()
    {
        // A learning rate of 1e30 throws the weights to ~1e30 in the first update; the next update's loss is not finite.
        string runDir = Path.Combine(root, "run");
        var settings = SmokeRun.Settings(runDir, "ppo", steps: 4) with { Lr = 1e30, CheckpointEvery = 1 };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SmokeRun.RunAsync(settings));
        Assert.Matches(@"^step \d: \S+/learner: the (loss|gradient norm) is (NaN|-?∞|-?Infinity)", error.Message);
        Assert.Contains("the update was undone", error.Message, StringComparison.Ordinal);

        // Not re-sent: the learner failed once. The steps before it stay committed, each with its checkpoint.
        RunHistory history = await RunJournal.ReadAsync(runDir);
        long failedStep = long.Parse(error.Message[5..error.Message.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Enumerable.Range(1, (int)failedStep - 1).Select(i => (long)i), history.Steps.Select(s => s.Step));
        Assert.Equal(failedStep - 1, history.Checkpoints[^1].Step);
    }

    [Fact]
    public async Task FaultsInRolloutRewardAndLearnerAreRestartedAndNoSampleIsTrainedTwice()
    {
        var settings = SmokeRun.Settings(Path.Combine(root, "run"), "ppo", steps: 5) with
        {
            Faults = new FaultPlan(RolloutAtStep: 2, RewardAtStep: 3, LearnerAtStep: 4),
        };
        var run = await SmokeRun.RunAsync(settings);

        Assert.Equal(5, run.Result.StepsCompleted);
        Assert.Equal(3, run.Result.Restarts);
        Assert.Contains(run.Restarts, r => r.Role.Contains("/rollout-1", StringComparison.Ordinal) && r.Reason.Contains("rollout worker at step 2", StringComparison.Ordinal));
        Assert.Contains(run.Restarts, r => r.Role.EndsWith("/reward", StringComparison.Ordinal) && r.Reason.Contains("step 3", StringComparison.Ordinal));
        Assert.Contains(run.Restarts, r => r.Role.EndsWith("/learner", StringComparison.Ordinal) && r.Reason.Contains("step 4", StringComparison.Ordinal));
        // The restarts show in the metrics of the steps after them.
        Assert.Equal([0.0, 1, 2, 3, 3], run.Steps.Select(s => s.Metrics["restarts"]));
        Assert.All(run.Trained, t => Assert.Equal(4, t.SampleIds.Count));
        var ids = run.Trained.SelectMany(t => t.SampleIds).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal([1L, 2, 3, 4, 5], run.Steps.Select(s => s.PolicyVersion));
    }

    [Fact]
    public async Task ARoleThatStopsAnsweringIsNamedWithinItsDeadlineAndReplaced()
    {
        var settings = SmokeRun.Settings(Path.Combine(root, "run"), "ppo", steps: 3) with
        {
            Faults = new FaultPlan(HangRole: "reward", HangAtStep: 2),
            Deadlines = new PhaseDeadlines { Score = TimeSpan.FromSeconds(3) },
        };
        var run = await SmokeRun.RunAsync(settings);

        Assert.Equal(3, run.Result.StepsCompleted);
        LogEntry warning = Assert.Single(run.Log, e => e.Level == LogLevel.Warning && e.Message.Contains("missed its", StringComparison.Ordinal));
        Assert.Contains("/user/rlhf/reward", warning.Message, StringComparison.Ordinal);
        Assert.Contains("deadline for RewardsRequested of step 2", warning.Message, StringComparison.Ordinal);
        RoleRestarted restart = Assert.Single(run.Restarts);
        Assert.EndsWith("/user/rlhf/reward", restart.Role, StringComparison.Ordinal);
        Assert.Equal([0.0, 1, 1], run.Steps.Select(s => s.Metrics["restarts"]));
    }

    [Fact]
    public async Task CancellingFinishesTheStepWritesACheckpointAndSaysSo()
    {
        var settings = SmokeRun.Settings(Path.Combine(root, "run"), "ppo", steps: 50);
        using var cancel = new CancellationTokenSource();
        var run = await SmokeRun.RunAsync(settings, cancel.Token, e =>
        {
            if (e is RlStepCompleted { Step: 2 }) cancel.Cancel();
        });

        Assert.True(run.Result.Cancelled);
        Assert.InRange(run.Result.StepsCompleted, 2, 3);
        Assert.Equal(run.Result.StepsCompleted, run.Steps.Count);
        Checkpoint.Verify(run.Result.CheckpointDir);
        Assert.EndsWith($"step-{run.Result.StepsCompleted:D6}", run.Result.CheckpointDir, StringComparison.Ordinal);
        Assert.Empty(run.Result.After);
    }

    [Theory]
    [InlineData("dpo")]
    [InlineData("ropo")]
    public async Task PreferenceObjectivesTrainOnPairs(string objective)
    {
        var settings = SmokeRun.Settings(Path.Combine(root, "run"), objective, "preferences", steps: 6) with { PromptsPerStep = 4 };
        var run = await SmokeRun.RunAsync(settings);

        Assert.Equal(6, run.Result.StepsCompleted);
        Assert.All(run.Steps, s => Assert.True(s.Metrics.ContainsKey("loss")));
        if (objective == "ropo")
        {
            // 16 pairs, 4 per step: rounds end after steps 4 (and the filter reports its kept fraction from then on).
            Assert.Contains(run.Steps, s => s.Metrics.ContainsKey("ropo_kept_fraction"));
        }
    }
}

[Collection(RlhfCollection.Name)]
public sealed class RlhfResumeTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("actorrl-resume-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task RopoResumesWithTheFilteredTrainingSetItsCheckpointHeldAndTheJournalKnowsTheRound()
    {
        // 16 pairs, 4 per step: the first round ends after step 4, where ROPO filters and rejection-samples.
        string runDir = Path.Combine(root, "run");
        var settings = SmokeRun.Settings(runDir, "ropo", "preferences", steps: 8) with { PromptsPerStep = 4, CheckpointEvery = 1 };
        using var cancel = new CancellationTokenSource();
        var first = await SmokeRun.RunAsync(settings, cancel.Token, e =>
        {
            if (e is RlStepCompleted { Step: 5 }) cancel.Cancel();
        });
        Assert.True(first.Result.Cancelled);
        Assert.Equal(5, first.Result.StepsCompleted);
        double filtered = first.Steps.Single(s => s.Step == 5).Metrics["pair_set_size"];
        Assert.True(filtered < 16, $"the round's filter kept all {filtered} pairs");

        RunHistory journaled = await RunJournal.ReadAsync(runDir);
        ObjectiveStateChanged round = Assert.Single(journaled.ObjectiveStates);
        Assert.Equal(4, round.Step);
        Assert.Equal((int)filtered, round.TrainingSetSize);
        Assert.Equal(round.KeptPairIds.Count + round.AcceptedPairIds.Count, round.TrainingSetSize);

        // The same settings in the same run directory: the coordinator recovers from its journal and continues.
        var resumed = await SmokeRun.RunAsync(settings);
        Assert.False(resumed.Result.Cancelled);
        Assert.Equal([6L, 7L, 8L], resumed.Steps.Select(s => s.Step));
        Assert.Equal(filtered, resumed.Steps[0].Metrics["pair_set_size"]);
        // The round's figures continue from the journal rather than vanishing until the next round ends.
        Assert.Equal(round.AcceptanceThreshold, resumed.Steps[0].Metrics["ropo_acceptance_threshold"]);
        Assert.Equal(first.Steps.Single(s => s.Step == 5).Metrics["ropo_kept_fraction"], resumed.Steps[0].Metrics["ropo_kept_fraction"]);
        Assert.Equal(1, round.Round);
        RunHistory history = await RunJournal.ReadAsync(runDir);
        Assert.Equal(2, history.Attempts);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], history.Steps.Select(s => s.Step));
        Assert.Equal(8, history.Checkpoints[^1].Step);
    }

    [Fact]
    public async Task RopoStoppedAtARoundsEndFiltersTheRoundBeforeItsCheckpointAndResumesWithTheFilteredSet()
    {
        // Stopped right after step 4, the first round's last: the stop waits for the round's filtering, so that the
        // checkpoint holds the set the next round trains on.
        string runDir = Path.Combine(root, "run");
        var settings = SmokeRun.Settings(runDir, "ropo", "preferences", steps: 6) with { PromptsPerStep = 4, CheckpointEvery = 1 };
        using var cancel = new CancellationTokenSource();
        var first = await SmokeRun.RunAsync(settings, cancel.Token, e =>
        {
            if (e is RlStepCompleted { Step: 4 }) cancel.Cancel();
        });
        Assert.True(first.Result.Cancelled);
        Assert.Equal(4, first.Result.StepsCompleted);
        ObjectiveStateChanged round = Assert.Single((await RunJournal.ReadAsync(runDir)).ObjectiveStates);
        Assert.Equal(4, round.Step);
        Assert.True(round.TrainingSetSize < 16, $"the round's filter kept all {round.TrainingSetSize} pairs");

        var resumed = await SmokeRun.RunAsync(settings);
        Assert.Equal([5L, 6L], resumed.Steps.Select(s => s.Step));
        Assert.Equal(round.TrainingSetSize, resumed.Steps[0].Metrics["pair_set_size"]);
        Assert.Equal(round, Assert.Single((await RunJournal.ReadAsync(runDir)).ObjectiveStates));
    }

    [Fact]
    public async Task RcfdJournalsEachPromptsDemonstrationRewardsOnceAndAResumedRunTakesThemFromTheJournal()
    {
        // 2 prompts per step (ids 0, 1 in step 1; 2, 3 in step 2; ...), 2 samples each; checkpoints at steps 2 and 4.
        string runDir = Path.Combine(root, "run");
        var settings = SmokeRun.Settings(runDir, "rcfd", "reviews", steps: 4) with { CheckpointEvery = 2 };
        using var cancel = new CancellationTokenSource();
        var first = await SmokeRun.RunAsync(settings, cancel.Token, e =>
        {
            if (e is RlStepCompleted { Step: 3 }) cancel.Cancel();
        });
        Assert.Equal(3, first.Result.StepsCompleted);
        Assert.Equal([2.0, 2.0, 2.0], first.Steps.Select(s => s.Metrics["rcfd_demonstrations_scored"]));

        // The journal holds each prompt's rewards as the reward model gives them for prompt + demonstration: prompts 0-5
        // of the trained steps, and 6-7 as well when step 4 was already generated and scored before the stop arrived.
        RunHistory journaled = await RunJournal.ReadAsync(runDir);
        bool step4Scored = journaled.DemonstrationRewards.ContainsKey(6);
        Assert.Equal(step4Scored ? [0L, 1, 2, 3, 4, 5, 6, 7] : [0L, 1, 2, 3, 4, 5], journaled.DemonstrationRewards.Keys.Order());
        var task = RlTasks.Create("reviews", settings.Seed);
        string rewardModelDir = first.Result.Stages.Single(r => r.Stage == "reward_model").CheckpointDir;
        using (RewardModel model = StageModels.LoadRewardModel(rewardModelDir, settings.Model))
        using (NoGradScope.Enter())
        {
            model.Eval();
            foreach ((long promptId, double[] rewards) in journaled.DemonstrationRewards)
            {
                int[] tokens = [.. task.Prompt(promptId), .. task.Demonstration(promptId)!];
                using Tensor score = model.Forward(Torch.From<long>([.. tokens.Select(t => (long)t)], [1, tokens.Length]));
                double expected = score.To(ScalarType.Float64).ToArray<double>()[0];
                Assert.Equal(expected, Assert.Single(rewards), 1e-5);
            }
        }

        // As if the process had died after step 3 but before its checkpoint: the next attempt resumes from step 2 and
        // generates step 3 again, for prompts 4 and 5, whose demonstration rewards come from the journal.
        Directory.Delete(Path.Combine(runDir, "checkpoints", "step-000003"), recursive: true);
        var resumed = await SmokeRun.RunAsync(settings);
        Assert.Equal([3L, 4L], resumed.Steps.Select(s => s.Step));
        Assert.Equal([0.0, step4Scored ? 0.0 : 2.0], resumed.Steps.Select(s => s.Metrics["rcfd_demonstrations_scored"]));

        RunHistory history = await RunJournal.ReadAsync(runDir);
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6, 7], history.DemonstrationRewards.Keys.Order());
        Assert.All(journaled.DemonstrationRewards, p => Assert.Equal(p.Value, history.DemonstrationRewards[p.Key]));
        // One event per step that met new prompts: steps 1-3 (and maybe 4) of the first attempt, else step 4 of the second.
        await using SqlPersistence stores = SqlPersistence.OpenSqlite(Path.Combine(runDir, RunJournal.FileName));
        long highest = await stores.Journal.HighestSequenceNrAsync(RunJournal.PersistenceId);
        var events = await stores.Journal.ReadAsync(RunJournal.PersistenceId, 1, highest);
        Assert.Equal(4, events.Count(e => e.Manifest == "rlhf.demonstration-rewards-cached"));
    }
}

[Collection(RlhfCollection.Name)]
public sealed class RlhfRetentionTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("actorrl-retain-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task TheNewestCheckpointsAndTheBestByTheChosenMetricAreKept()
    {
        // Shortest responses are "best" here: a metric that varies from step to step even in a smoke-size run.
        string runDir = Path.Combine(root, "run");
        var settings = SmokeRun.Settings(runDir, "ppo", steps: 6) with
        {
            CheckpointEvery = 1,
            KeepCheckpoints = 2,
            KeepBestMetric = "response_length",
            KeepBestHigher = false,
        };
        var run = await SmokeRun.RunAsync(settings);

        double shortest = run.Steps.Min(s => s.Metrics["response_length"]);
        var best = run.Steps.Where(s => s.Metrics["response_length"] == shortest).Select(s => $"step-{s.Step:D6}").ToHashSet();
        string[] newest = ["step-000006", "step-000005"];
        var kept = Directory.GetDirectories(Path.Combine(runDir, "checkpoints")).Select(d => Path.GetFileName(d)!).ToHashSet();
        Assert.Superset(newest.ToHashSet(), kept);
        var others = kept.Except(newest).ToList();
        if (best.Overlaps(newest))
        {
            // The best is among the newest (or ties with an older one, which may be kept instead): at most one more.
            Assert.True(others.Count == 0 || (others.Count == 1 && best.Contains(others[0])), string.Join(", ", kept));
        }
        else
        {
            Assert.True(others.Count == 1, $"kept {string.Join(", ", kept)}; lengths {string.Join(", ", run.Steps.Select(s => $"{s.Step}:{s.Metrics["response_length"]}"))}");
            Assert.Contains(others[0], best);
        }
    }
}

[Collection(RlhfCollection.Name)]
public sealed class RlhfJournalFaultTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("actorrl-journal-fault-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task AJournalThatStaysLockedEndsTheRunWithItsNameAndTheRerunLosesNothingCommitted()
    {
        string runDir = Path.Combine(root, "run");
        string journalPath = Path.Combine(runDir, RunJournal.FileName);
        var settings = SmokeRun.Settings(runDir, "ppo", steps: 5) with { CheckpointEvery = 1 };
        SqliteConnection? holder = null;
        try
        {
            // Once step 3 is journaled (step 2's checkpoint was committed before it), another process takes the
            // journal's write lock and keeps it past every retry: step 3's checkpoint cannot be committed.
            var error = await Assert.ThrowsAnyAsync<Exception>(() => SmokeRun.RunAsync(settings, onEvent: e =>
            {
                if (e is RlStepCompleted { Step: 3 }) holder = HoldWriteLock(journalPath);
            }));
            Assert.IsType<PersistFailedException>(error);
            Assert.Contains($"SQLite file {journalPath}", error.Message, StringComparison.Ordinal);
            Assert.Contains($"after {RetryPolicy.Default.Attempts} attempt(s)", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            holder?.Dispose();
        }

        RunHistory failed = await RunJournal.ReadAsync(runDir);
        Assert.Equal([1L, 2, 3], failed.Steps.Select(s => s.Step));
        Assert.Equal([1L, 2], failed.Checkpoints.Select(c => c.Step));

        // The same run again: it continues from step 2's checkpoint, trains step 3 again on the same samples (step 3
        // of the failed attempt was never part of a committed checkpoint) and finishes.
        var resumed = await SmokeRun.RunAsync(settings);
        Assert.Equal([3L, 4, 5], resumed.Steps.Select(s => s.Step));
        Assert.Equal(failed.Steps[2].SampleIds, resumed.Trained[0].SampleIds);
        RunHistory history = await RunJournal.ReadAsync(runDir);
        Assert.Equal([1L, 2, 3, 4, 5], history.Steps.Select(s => s.Step));
        var ids = history.Steps.SelectMany(s => s.SampleIds).ToList();
        Assert.Equal(5 * settings.PromptsPerStep * settings.SamplesPerPrompt, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    private static SqliteConnection HoldWriteLock(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using SqliteCommand begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE; INSERT INTO snapshots VALUES ('holder', 1, 'm', x'00', 0);";
        begin.ExecuteNonQuery();
        return connection;
    }
}
