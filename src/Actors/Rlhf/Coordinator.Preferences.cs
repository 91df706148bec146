using System.Diagnostics;
using ActorRL.Actors.Rlhf.Journal;
using ActorRL.Models.Rlhf;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Rlhf;

// The preference loop (dpo, ropo): each step trains on the next pairs of the current set, with reference sequence
// log-probabilities computed once per pair by the reference role. A pass over the set is a round; at a round's end ROPO
// filters the set by ℓ_ropo under the trained policy and replaces the dropped pairs' prompts by rejection sampling from
// the rollout workers (policy log-probabilities from the rollout, reference log-probabilities from the reference role,
// rewards from the reward role when the run has one).
internal sealed partial class Coordinator
{
    private readonly Dictionary<long, (double Chosen, double Rejected)> referenceCache = [];
    private List<PreferenceExample> pairSet = [];
    private int pairCursor;
    private bool roundInFlight;
    private IReadOnlyDictionary<string, double> roundMetrics = new Dictionary<string, double>();

    private void StartPreferences()
    {
        // A resumed ROPO run continues with the training set its checkpoint held (kept and accepted pairs).
        pairSet = restoredPairs ?? [.. task.PreferencePairs(settings.PreferencePairs, settings.LabelNoise, settings.Seed)];
        if (pairSet.Count == 0) throw new InvalidOperationException($"task {settings.Task} produced no preference pairs");
        pairCursor = (int)(trainedPairCursor % pairSet.Count);
        PreferenceStep();
    }

    /// <summary>
    /// A resumed ROPO run continues its rounds where the journal left them: the round count, pair ids above every id the
    /// run has given out, and the last round's figures in each step's metrics until the next round ends.
    /// </summary>
    private void RestoreObjectiveState(IReadOnlyList<JournaledStep> trained)
    {
        if (settings.Objective != "ropo" || restoredPairs is null) return;
        var states = history.ObjectiveStates.Where(o => o.Step <= stepsDone).ToList();
        if (states.Count == 0) return;
        long highest = states.SelectMany(o => o.KeptPairIds.Concat(o.DroppedPairIds).Concat(o.AcceptedPairIds)).DefaultIfEmpty(-1).Max();
        rounds.Ropo = new RopoRounds((Models.Objectives.RopoOptions)settings.ObjectiveOptions, restoredPairs, states[^1].Round, highest + 1);
        if (trained.Count > 0)
        {
            roundMetrics = trained[^1].Metrics.Where(m => m.Key.StartsWith("ropo_", StringComparison.Ordinal)).ToDictionary(m => m.Key, m => m.Value);
        }
    }

    private void PreferenceStep()
    {
        if (finished || stopRequested) return;
        long step = stepsDone + 1;
        var clock = Stopwatch.StartNew();
        int count = Math.Min(settings.PromptsPerStep, pairSet.Count);
        var batch = Enumerable.Range(0, count).Select(i => pairSet[(pairCursor + i) % pairSet.Count]).ToList();
        bool roundEnds = pairCursor + count >= pairSet.Count;
        pairCursor = (pairCursor + count) % pairSet.Count;
        WithReference(step, batch, () =>
        {
            TimeSpan score = clock.Elapsed;
            var samples = batch.Select(p => new PreferenceSample(p.PairId, p.Prompt, p.Chosen, p.Rejected, referenceCache[p.PairId].Chosen, referenceCache[p.PairId].Rejected, 1)).ToList();
            Request<PreferenceBatchPrepared>("objective", id => new PreferenceBatchRequested(id, step, samples), settings.Deadlines.Objective, prepared =>
            {
                TimeSpan objective = clock.Elapsed - score;
                TimeSpan idle = sinceLastUpdate?.Elapsed ?? TimeSpan.Zero;
                var trainClock = Stopwatch.StartNew();
                training = true;
                Request<PolicyUpdated>("learner", id => new PreferenceTrainingRequested(id, step, prepared.Pairs), settings.Deadlines.Update, updated =>
                {
                    training = false;
                    TimeSpan broadcast = PublishWeights(updated.Weights);
                    stepsDone++;
                    var metrics = new Dictionary<string, double>(updated.Metrics);
                    foreach (var (name, value) in roundMetrics) metrics[name] = value;
                    TimeSpan interval = idle + trainClock.Elapsed;
                    metrics["time_generate_s"] = 0;
                    metrics["time_score_s"] = score.TotalSeconds;
                    metrics["time_objective_s"] = objective.TotalSeconds;
                    metrics["time_update_s"] = updated.UpdateTime.TotalSeconds;
                    metrics["time_publish_s"] = (updated.PublishTime + broadcast).TotalSeconds;
                    metrics["learner_idle_fraction"] = interval.TotalSeconds > 0 ? idle.TotalSeconds / interval.TotalSeconds : 0;
                    metrics["restarts"] = restarts;
                    metrics["policy_version"] = updated.Weights.Version;
                    metrics["samples"] = prepared.Pairs.Count;
                    metrics["pair_set_size"] = pairSet.Count;
                    sinceLastUpdate = Stopwatch.StartNew();
                    trainedPairCursor = pairCursor;
                    lastStepMetrics = metrics;
                    Journal(stepsDone, prepared.Pairs.Select(p => p.PairId), metrics, () =>
                    {
                        Emit(new SamplesTrained(stepsDone, [.. prepared.Pairs.Select(p => p.PairId)]));
                        Emit(new RlStepCompleted(stepsDone, settings.Steps, publishedVersion, metrics));
                        // At a ROPO round's end the checkpoint, even the one a stop asks for, waits for the filtering,
                        // so that it holds the next round's set.
                        bool ropoRoundEnds = roundEnds && settings.Objective == "ropo" && stepsDone < settings.Steps;
                        if (ropoRoundEnds) EndRopoRound(stepsDone);
                        else
                        {
                            CheckpointIfDue();
                            if (stopRequested) Finish(cancelled: true);
                            else if (stepsDone >= settings.Steps) Finish(cancelled: false);
                            else PreferenceStep();
                        }
                    });
                });
            });
        });
    }

    /// <summary>Fills the reference cache for the pairs that lack it, then continues.</summary>
    private void WithReference(long step, IReadOnlyList<PreferenceExample> pairs, Action then)
    {
        var missing = pairs.Where(p => !referenceCache.ContainsKey(p.PairId)).DistinctBy(p => p.PairId).ToList();
        if (missing.Count == 0)
        {
            then();
            return;
        }
        var items = missing.SelectMany(p => new[] { new SequencePair(p.Prompt, p.Chosen), new SequencePair(p.Prompt, p.Rejected) }).ToList();
        Request<SequencesScored>("reference", id => new SequenceScoresRequested(id, step, items), settings.Deadlines.Score, scored =>
        {
            for (int i = 0; i < missing.Count; i++) referenceCache[missing[i].PairId] = (scored.LogProbs[2 * i], scored.LogProbs[2 * i + 1]);
            then();
        });
    }

    private void EndRopoRound(long step)
    {
        roundInFlight = true;
        List<PreferenceExample> set = pairSet;
        var items = set.SelectMany(p => new[] { new SequencePair(p.Prompt, p.Chosen), new SequencePair(p.Prompt, p.Rejected) }).ToList();
        WithReference(step, set, () => Request<SequencesScored>("learner", id => new PolicySequenceScoresRequested(id, step, items), settings.Deadlines.Update, policy =>
        {
            double[] chosen = [.. set.Select((_, i) => policy.LogProbs[2 * i])];
            double[] rejected = [.. set.Select((_, i) => policy.LogProbs[2 * i + 1])];
            double[] refChosen = [.. set.Select(p => referenceCache[p.PairId].Chosen)];
            double[] refRejected = [.. set.Select(p => referenceCache[p.PairId].Rejected)];
            Request<RopoRoundStarted>("objective", id => new RopoRoundRequested(id, step, set, chosen, rejected, refChosen, refRejected), settings.Deadlines.Objective, started =>
            {
                Log.LogInformation("ROPO round after step {Step}: kept {Kept} of {Pairs} pairs, rejection-sampling {Dropped} prompts",
                    step, started.KeptPairIds.Count, set.Count, started.Dropped.Count);
                RejectionSample(step, started.Dropped);
            });
        }));
    }

    private void RejectionSample(long step, IReadOnlyList<DroppedPrompt> dropped)
    {
        var options = (Models.Objectives.RopoOptions)settings.ObjectiveOptions;
        var prompts = dropped.SelectMany(d => Enumerable.Range(0, options.RejectionSamples).Select(_ => new RolloutPrompt(nextSampleId++, d.PromptId, d.Prompt))).ToList();
        if (prompts.Count == 0)
        {
            Judge(step, []);
            return;
        }
        Generate(new StepState(step), prompts, publishedVersion, rollouts =>
        {
            var items = rollouts.Select(r => new SequencePair(r.Prompt, r.Response)).ToList();
            Request<SequencesScored>("reference", id => new SequenceScoresRequested(id, step, items), settings.Deadlines.Score, reference =>
            {
                void Offer(IReadOnlyList<double[]>? rewards)
                {
                    var candidates = rollouts.Select((r, i) => (r, i)).GroupBy(x => x.r.PromptId).Select(g => new RejectionCandidates(
                        g.Key,
                        [.. g.Select(x => x.r.Response)],
                        [.. g.Select(x => x.r.LogProbs.Sum(v => (double)v))],
                        [.. g.Select(x => reference.LogProbs[x.i])],
                        [.. g.Select(x => rewards is null ? double.NaN : rewards[x.i][0])])).ToList();
                    Judge(step, candidates);
                }
                if (slots.ContainsKey("reward"))
                {
                    Request<RewardsScored>("reward", id => new RewardsRequested(id, step, rollouts, false, new Dictionary<long, double[]>()), settings.Deadlines.Score, scored => Offer(scored.Rewards));
                }
                else Offer(null);
            });
        });
    }

    private void Judge(long step, IReadOnlyList<RejectionCandidates> candidates) =>
        Request<RejectionSamplesJudged>("objective", id => new RejectionSamplesOffered(id, step, candidates), settings.Deadlines.Objective, judged =>
        {
            roundMetrics = judged.Metrics;
            pairSet = [.. judged.NextSet];
            pairCursor = 0;
            trainedPairCursor = 0;
            roundInFlight = false;
            var changed = new ObjectiveStateChanged
            {
                Objective = settings.Objective,
                Step = step,
                AcceptanceThreshold = judged.Round.AcceptanceThreshold,
                TrainingSetSize = pairSet.Count,
                Round = judged.Round.Round,
            };
            changed.KeptPairIds.AddRange(judged.Round.KeptPairIds);
            changed.DroppedPairIds.AddRange(judged.Round.DroppedPairIds);
            changed.AcceptedPairIds.AddRange(judged.Round.AcceptedPairIds);
            Journal(changed);
            Log.LogInformation("ROPO: accepted {Accepted} rejection-sampled pairs; the next round trains on {Pairs}", judged.Accepted.Count, pairSet.Count);
            CheckpointIfDue();
            if (stopRequested) Finish(cancelled: true);
            else PreferenceStep();
        });
}
