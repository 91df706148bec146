using System.Diagnostics;
using ActorRL.Models.Objectives;
using ActorRL.Models.Rlhf;

namespace ActorRL.Actors.Rlhf;

/// <summary>ROPO's rounds, kept across restarts of the objective role (its filtering state is the run's, not the actor's).</summary>
internal sealed class PreferenceRounds
{
    public RopoRounds? Ropo { get; set; }
}

// DPO and ROPO: the weights of each step's pairs, and ROPO's round-end filtering and rejection sampling.
internal sealed partial class ObjectiveActor
{
    private readonly PreferenceRounds rounds;
    private IPreferenceObjective? preferenceObjective;

    private IPreferenceObjective PreferenceObjective => preferenceObjective ??= PreferenceObjectives.Create(Settings.Objective, Settings.ObjectiveOptions);

    private void HandlePreferences()
    {
        Handle<PreferenceBatchRequested>(request =>
        {
            Setup.Faults.MaybeHang("objective", request.Step);
            var clock = Stopwatch.StartNew();
            // Filtering happens at round ends; within a round every pair of the set counts fully.
            IReadOnlyList<PreferenceSample> pairs = [.. request.Pairs.Select(p => p with { Weight = 1 })];
            return new PreferenceBatchPrepared(request.RequestId, pairs, rounds.Ropo?.Metrics() ?? new Dictionary<string, double>(), clock.Elapsed);
        });
        Handle<RopoRoundRequested>(StartRound);
        Handle<RejectionSamplesOffered>(Judge);
    }

    private RopoRoundStarted StartRound(RopoRoundRequested request)
    {
        RopoOptions options = Settings.ObjectiveOptions as RopoOptions
            ?? throw new InvalidOperationException($"round filtering is ROPO's; the run's objective is {Settings.Objective}");
        RopoRounds ropo = rounds.Ropo ??= new RopoRounds(options, request.Pairs);
        if (!ropo.TrainingSet.Select(p => p.PairId).SequenceEqual(request.Pairs.Select(p => p.PairId)))
        {
            throw new InvalidOperationException("the coordinator's pairs differ from the round's training set");
        }
        var losses = new double[request.Pairs.Count];
        for (int i = 0; i < losses.Length; i++)
        {
            double margin = Dpo.Margin(request.PolicyChosen[i], request.PolicyRejected[i], request.RefChosen[i], request.RefRejected[i]);
            losses[i] = PreferenceObjective.PairLoss(margin);
        }
        RopoRoundState state = ropo.StartRound(losses);
        var prompts = ropo.TrainingSet.GroupBy(p => p.PromptId).ToDictionary(g => g.Key, g => g.First().Prompt);
        return new RopoRoundStarted(request.RequestId, state.KeptPairIds, [.. ropo.DroppedPromptIds.Select(id => new DroppedPrompt(id, prompts[id]))], ropo.Metrics());
    }

    private RejectionSamplesJudged Judge(RejectionSamplesOffered request)
    {
        RopoRounds ropo = rounds.Ropo ?? throw new InvalidOperationException("no ROPO round has started");
        var accepted = new List<PreferenceExample>();
        foreach (RejectionCandidates c in request.Candidates)
        {
            if (c.Responses.Count < 2) continue;
            var samples = c.Responses.Select((r, i) => (r, c.PolicyLogProbs[i], c.RefLogProbs[i], c.Rewards[i])).ToList();
            if (ropo.Consider(c.PromptId, samples) is { } pair) accepted.Add(pair);
        }
        var metrics = ropo.Metrics();
        RopoRoundState round = ropo.State!;
        IReadOnlyList<PreferenceExample> next = ropo.NextRound();
        return new RejectionSamplesJudged(request.RequestId, accepted, next, metrics, round);
    }
}
