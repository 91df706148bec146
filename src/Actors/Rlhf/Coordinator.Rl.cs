using System.Diagnostics;
using ActorRL.Actors.Rlhf.Journal;
using ActorRL.Models.Rlhf;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Rlhf;

// The RL loop of the PPO family (ppo, rto, drto, rcfd): generate → score (reference and reward in parallel) → objective
// → learner → publish. Both schedules are one rule: generation of step g may start once the published version is at
// least g − 1 − k, with k = 0 for sync (so each step waits for the previous update) and k = rl.staleness for async (so
// generation of the next batch overlaps training of this one). At training time a sample generated more than k versions
// ago is dropped.
internal sealed partial class Coordinator
{
    private sealed class StepState(long step)
    {
        public long Step { get; } = step;
        public List<Rollout> Rollouts { get; } = [];
        public int ChunksLeft { get; set; }
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public TimeSpan Generate { get; set; }
        public TimeSpan Score { get; set; }
        public TimeSpan Objective { get; set; }

        /// <summary>Model compute on the step's critical path: the slowest rollout chunk, the slower of reference and
        /// reward, the objective; the rest of the step's wall time is messaging, coordination and waiting.</summary>
        public TimeSpan Compute { get; set; }
        public ReferenceScored? Reference { get; set; }

        /// <summary>The data cursor after this step's prompts: where a run resumed after this step continues.</summary>
        public (long Prompt, long Sample) CursorAfter { get; set; }
        public RewardsScored? Rewards { get; set; }
        public TrainingBatch? Batch { get; set; }
    }

    private readonly Queue<StepState> readyToTrain = new();
    private readonly HashSet<long> trainedSamples = [];
    private IRlObjective? rlObjective;
    private WeightsSnapshot? latestWeights;
    private long publishedVersion, stepsDone, nextGenerationStep = 1, promptCursor, nextSampleId = 1;
    private bool rlStarted, generating, training, checkpointing;
    private Stopwatch? sinceLastUpdate;
    private long staleDropped;

    private int Staleness => settings.Schedule == RolloutSchedule.Async ? settings.Staleness : 0;

    private bool IsPreferenceObjective => PreferenceObjectives.IsPreference(settings.Objective);

    private void StartRl()
    {
        placement?.BeginAttempt();
        slots["learner"] = NewSlot("learner", "learner", () => Props.Create(() => new LearnerActor(Setup, learnerState)));
        slots["reference"] = NewSlot("reference", "reference", () => Props.Create(() => new ReferenceActor(Setup)));
        if (Setup.StageDirs.ContainsKey("reward_model") || task.VerifiedReward(0, task.Prompt(0)) is not null)
        {
            slots["reward"] = NewSlot("reward", "reward", () => Props.Create(() => new RewardActor(Setup)));
        }
        slots["objective"] = NewSlot("objective", "objective", () => Props.Create(() => new ObjectiveActor(Setup, rounds)));
        for (int w = 1; w <= settings.RolloutWorkers; w++)
        {
            slots[$"rollout-{w}"] = NewSlot($"rollout-{w}", "rollout", () => Props.Create(() => new RolloutWorker(Setup)));
        }
        if (!IsPreferenceObjective) rlObjective = RlObjectives.Create(settings.Objective, settings.ObjectiveOptions, task);

        Emit(new StageStarted(IsPreferenceObjective ? settings.Objective : "rl", settings.Steps));
        if (resumePoint is { } resume) ResumeFrom(resume);
        Persist(new RunStarted
        {
            ConfigSha256 = settings.ConfigSha256,
            ResumedFromStep = stepsDone,
            ResumedFrom = resumePoint?.Directory ?? "",
        }, e => history = history.Apply(e));
        Request<WeightsReply>("learner", id => new WeightsRequested(id, 0), settings.Deadlines.Update, reply =>
        {
            if (reply.Weights.Version != publishedVersion)
            {
                throw new InvalidOperationException($"the learner holds policy version {reply.Weights.Version}, the run expected {publishedVersion}");
            }
            PublishWeights(reply.Weights);
            rlStarted = true;
            sinceLastUpdate = Stopwatch.StartNew();
            if (stepsDone >= settings.Steps || stopRequested) Finish(cancelled: stopRequested);
            else if (IsPreferenceObjective) StartPreferences();
            else ScheduleGeneration();
        });
    }

    private IEnumerable<string> RolloutSlots => Enumerable.Range(1, settings.RolloutWorkers).Select(w => $"rollout-{w}");

    private TimeSpan PublishWeights(WeightsSnapshot weights)
    {
        var clock = Stopwatch.StartNew();
        latestWeights = weights;
        publishedVersion = weights.Version;
        var message = new WeightsPublished(weights);
        foreach (string slot in RolloutSlots) slots[slot].Ref.Tell(message, Self);
        return clock.Elapsed;
    }

    private void ScheduleGeneration()
    {
        if (finished || stopRequested || generating || nextGenerationStep > settings.Steps) return;
        long minVersion = Math.Max(0, nextGenerationStep - 1 - Staleness);
        if (publishedVersion < minVersion) return;
        generating = true;
        var step = new StepState(nextGenerationStep++);
        var prompts = new List<RolloutPrompt>();
        for (int p = 0; p < settings.PromptsPerStep; p++)
        {
            long promptId = promptCursor++;
            int[] tokens = task.Prompt(promptId);
            for (int s = 0; s < settings.SamplesPerPrompt; s++) prompts.Add(new RolloutPrompt(nextSampleId++, promptId, tokens));
        }
        step.CursorAfter = (promptCursor, nextSampleId);
        Generate(step, prompts, minVersion, rollouts => OnGenerated(step, rollouts));
    }

    /// <summary>Splits <paramref name="prompts"/> over the rollout workers and collects their completions.</summary>
    private void Generate(StepState step, IReadOnlyList<RolloutPrompt> prompts, long minVersion, Action<IReadOnlyList<Rollout>> then)
    {
        int workers = settings.RolloutWorkers;
        var chunks = Enumerable.Range(0, workers)
            .Select(w => prompts.Where((_, i) => i % workers == w).ToList())
            .Where(c => c.Count > 0).ToList();
        var collected = new List<Rollout>();
        int left = chunks.Count;
        TimeSpan slowest = TimeSpan.Zero;
        for (int w = 0; w < chunks.Count; w++)
        {
            List<RolloutPrompt> chunk = chunks[w];
            ulong seed = Seed(settings.Seed, step.Step, w);
            var options = settings.Generation with { Seed = seed, StopTokens = [task.Tokenizer.Eos] };
            Request<RolloutsGenerated>($"rollout-{w + 1}", id => new RolloutRequested(id, step.Step, chunk, options, minVersion), settings.Deadlines.Generate, generated =>
            {
                collected.AddRange(generated.Rollouts);
                slowest = generated.ComputeTime > slowest ? generated.ComputeTime : slowest;
                if (--left == 0) step.Compute += slowest;
                if (left == 0) then([.. collected.OrderBy(r => r.SampleId)]);
            });
        }
    }

    // Deterministic per (run seed, step, chunk), and kept when a request is re-sent, so that sampling repeats exactly
    // for one worker in sync mode — also in a run resumed from a checkpoint.
    private static ulong Seed(int seed, long step, int chunk)
    {
        ulong h = 1469598103934665603UL;
        foreach (long v in new long[] { seed, step, chunk }) h = (h ^ (ulong)v) * 1099511628211UL;
        return h;
    }

    private void OnGenerated(StepState step, IReadOnlyList<Rollout> rollouts)
    {
        step.Rollouts.AddRange(rollouts);
        step.Generate = step.Clock.Elapsed;
        generating = false;
        ScoreStep(step);
        ScheduleGeneration();
    }

    private void ScoreStep(StepState step)
    {
        IRlObjective objective = rlObjective!;
        Request<ReferenceScored>("reference", id => new ReferenceScoresRequested(id, step.Step, step.Rollouts, objective.NeedsDpoModel), settings.Deadlines.Score, scored =>
        {
            step.Reference = scored;
            if (step.Rewards is not null) Prepare(step);
        });
        bool demonstrations = objective.NeedsDemonstrationRewards;
        Dictionary<long, double[]> known = demonstrations
            ? step.Rollouts.Select(r => r.PromptId).Distinct().Where(history.DemonstrationRewards.ContainsKey).ToDictionary(id => id, id => history.DemonstrationRewards[id])
            : [];
        Request<RewardsScored>("reward", id => new RewardsRequested(id, step.Step, step.Rollouts, demonstrations, known), settings.Deadlines.Score, scored =>
        {
            step.Rewards = scored;
            JournalDemonstrationRewards(step, scored, () =>
            {
                if (step.Reference is not null) Prepare(step);
            });
        });
    }

    /// <summary>
    /// RCfD: journals the demonstration rewards of the step's prompts that the journal does not hold yet, then continues.
    /// A resumed run (or a replaced reward role) gets them back instead of scoring those demonstrations again.
    /// </summary>
    private void JournalDemonstrationRewards(StepState step, RewardsScored scored, Action then)
    {
        if (scored.DemoRewards is not { } demo)
        {
            then();
            return;
        }
        var cached = new DemonstrationRewardsCached { Step = step.Step, Models = demo.Count > 0 ? demo[0].Length : 1 };
        for (int i = 0; i < step.Rollouts.Count; i++)
        {
            long promptId = step.Rollouts[i].PromptId;
            if (history.DemonstrationRewards.ContainsKey(promptId) || cached.PromptIds.Contains(promptId)) continue;
            cached.PromptIds.Add(promptId);
            cached.Rewards.AddRange(demo[i]);
        }
        if (cached.PromptIds.Count == 0) then();
        else Persist(cached, e =>
        {
            history = history.Apply(e);
            then();
        });
    }

    private void Prepare(StepState step)
    {
        step.Score = step.Clock.Elapsed - step.Generate;
        ReferenceScored reference = step.Reference!;
        RewardsScored rewards = step.Rewards!;
        step.Compute += reference.ComputeTime > rewards.ComputeTime ? reference.ComputeTime : rewards.ComputeTime;
        var batch = step.Rollouts.Select((r, i) => new ScoredRollout(r, reference.RefLogProbs[i], reference.DpoLogProbs[i], rewards.Rewards[i], rewards.DemoRewards?[i])).ToList();
        Request<BatchPrepared>("objective", id => new BatchPreparationRequested(id, step.Step, batch), settings.Deadlines.Objective, prepared =>
        {
            step.Objective = step.Clock.Elapsed - step.Generate - step.Score;
            step.Batch = prepared.Batch;
            step.Compute += prepared.ComputeTime;
            readyToTrain.Enqueue(step);
            TrainNext();
        });
    }

    private void TrainNext()
    {
        if (finished || training || stopRequested || readyToTrain.Count == 0) return;
        StepState step = readyToTrain.Dequeue();
        TrainingBatch batch = step.Batch!;
        var versions = step.Rollouts.ToDictionary(r => r.SampleId, r => r.PolicyVersion);
        var kept = batch.Samples.Where(s => publishedVersion - versions[s.SampleId] <= Staleness && !trainedSamples.Contains(s.SampleId)).ToList();
        int dropped = batch.Samples.Count - kept.Count;
        if (dropped > 0)
        {
            staleDropped += dropped;
            Log.LogWarning("step {Step}: dropped {Dropped} samples older than {Staleness} versions or already trained on", step.Step, dropped, Staleness);
        }
        if (kept.Count == 0)
        {
            // Nothing left to train on: generate the step again with current weights.
            nextGenerationStep = Math.Min(nextGenerationStep, step.Step);
            ScheduleGeneration();
            return;
        }
        training = true;
        TimeSpan idle = sinceLastUpdate?.Elapsed ?? TimeSpan.Zero;
        var trainClock = Stopwatch.StartNew();
        double staleness = kept.Average(s => (double)(publishedVersion - versions[s.SampleId]));
        Request<PolicyUpdated>("learner", id => new TrainingRequested(id, step.Step, batch with { Samples = kept }), settings.Deadlines.Update, updated =>
        {
            training = false;
            TimeSpan interval = idle + trainClock.Elapsed;
            TimeSpan broadcast = PublishWeights(updated.Weights);
            stepsDone++;
            trainedCursor = step.CursorAfter;
            foreach (TrainingSample s in kept) trainedSamples.Add(s.SampleId);
            long responseTokens = step.Rollouts.Sum(r => (long)r.Response.Length);
            var metrics = new Dictionary<string, double>(batch.Metrics);
            foreach (var (name, value) in updated.Metrics) metrics[name] = value;
            metrics["time_generate_s"] = step.Generate.TotalSeconds;
            metrics["time_score_s"] = step.Score.TotalSeconds;
            metrics["time_objective_s"] = step.Objective.TotalSeconds;
            metrics["time_update_s"] = updated.UpdateTime.TotalSeconds;
            metrics["time_publish_s"] = (updated.PublishTime + broadcast).TotalSeconds;
            metrics["tokens_per_s"] = step.Generate.TotalSeconds > 0 ? responseTokens / step.Generate.TotalSeconds : 0;
            metrics["learner_idle_fraction"] = interval.TotalSeconds > 0 ? idle.TotalSeconds / interval.TotalSeconds : 0;
            metrics["restarts"] = restarts;
            metrics["policy_version"] = updated.Weights.Version;
            metrics["samples"] = kept.Count;
            metrics["samples_dropped_stale"] = staleDropped;
            metrics["staleness_mean"] = staleness;
            if (step.Rewards?.DemoRewards is not null) metrics["rcfd_demonstrations_scored"] = step.Rewards.DemonstrationsScored;
            metrics["compute_s"] = (step.Compute + updated.UpdateTime + updated.PublishTime).TotalSeconds;
            metrics["step_wall_s"] = step.Clock.Elapsed.TotalSeconds;
            sinceLastUpdate = Stopwatch.StartNew();
            lastStepMetrics = metrics;
            Journal(stepsDone, kept.Select(s => s.SampleId), metrics, () =>
            {
                Emit(new SamplesTrained(stepsDone, [.. kept.Select(s => s.SampleId)]));
                Emit(new RlStepCompleted(stepsDone, settings.Steps, publishedVersion, metrics));
                CheckpointIfDue();
                if (stopRequested) Finish(cancelled: true);
                else if (stepsDone >= settings.Steps) Finish(cancelled: false);
                else
                {
                    TrainNext();
                    ScheduleGeneration();
                }
            });
        });
    }
}
