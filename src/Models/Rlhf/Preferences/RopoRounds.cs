using ActorRL.Models.Objectives;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// ROPO's training set over rounds (OBJECTIVES.md, "ROPO"): after a round, <see cref="StartRound"/> filters the set by
/// each pair's ℓ_ropo under the trained policy (the ⌈(1 − ρ)N⌉ lowest stay, <see cref="RopoRoundState.Filter"/>); the
/// prompts of the dropped pairs are rejection-sampled (<see cref="Consider"/>: K policy samples, the best and worst
/// scored form a pair, accepted only when its ℓ_ropo is below the kept pairs' median); <see cref="NextRound"/> makes the
/// kept and accepted pairs the next round's set. Not thread-safe: one owner (the objective actor) drives it.
/// </summary>
/// <remarks>
/// Accepted pairs get fresh ids above every id seen so far. A pair built by rejection sampling is marked not flipped:
/// the label comes from the policy's own scores, not from the noisy annotation. At most one pair is accepted per
/// dropped prompt and round.
/// </remarks>
public sealed class RopoRounds
{
    private readonly RopoOptions options;
    private readonly Dictionary<long, PreferenceExample> byId;
    private List<PreferenceExample> trainingSet;
    private readonly Dictionary<long, int[]> droppedPrompts = [];
    private readonly List<PreferenceExample> accepted = [];
    private readonly HashSet<long> acceptedPrompts = [];
    private long nextPairId;
    private int round;
    private double droppedFlippedFraction;

    /// <summary>Starts with <paramref name="pairs"/> as the first round's training set.</summary>
    /// <exception cref="ArgumentException">No pairs, or pair ids repeat.</exception>
    public RopoRounds(RopoOptions options, IReadOnlyList<PreferenceExample> pairs) : this(options, pairs, 0, 0)
    {
    }

    /// <summary>
    /// Continues a run after <paramref name="roundsDone"/> rounds with <paramref name="pairs"/> as the next round's
    /// training set; accepted pairs get ids from <paramref name="nextPairId"/> on (or above every id in
    /// <paramref name="pairs"/>, whichever is larger), so that no id of the run's history is given to another pair.
    /// </summary>
    /// <exception cref="ArgumentException">No pairs, or pair ids repeat.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative round count.</exception>
    public RopoRounds(RopoOptions options, IReadOnlyList<PreferenceExample> pairs, int roundsDone, long nextPairId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(roundsDone);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pairs);
        options.Validate();
        if (pairs.Count == 0) throw new ArgumentException("ROPO needs pairs to start from", nameof(pairs));
        this.options = options;
        byId = [];
        foreach (PreferenceExample p in pairs)
        {
            if (!byId.TryAdd(p.PairId, p)) throw new ArgumentException($"pair id {p.PairId} repeats", nameof(pairs));
        }
        trainingSet = [.. pairs];
        this.nextPairId = Math.Max(nextPairId, byId.Keys.Max() + 1);
        round = roundsDone;
    }

    /// <summary>How many rounds have been filtered (by this instance and, when continued, before it).</summary>
    public int RoundsDone => round;

    /// <summary>The pairs of the current round, in training order.</summary>
    public IReadOnlyList<PreferenceExample> TrainingSet => trainingSet;

    /// <summary>The state after the last <see cref="StartRound"/> (kept, dropped and accepted ids, the threshold), or null before the first.</summary>
    public RopoRoundState? State { get; private set; }

    /// <summary>The prompts of the pairs the last filter dropped, ascending: the ones to rejection-sample.</summary>
    public IReadOnlyList<long> DroppedPromptIds => [.. droppedPrompts.Keys.Order()];

    /// <summary>The rejection-sampled pairs accepted since the last <see cref="StartRound"/>.</summary>
    public IReadOnlyList<PreferenceExample> Accepted => accepted;

    /// <summary>
    /// Filters the current training set: <paramref name="pairLosses"/>[i] is ℓ_ropo of <see cref="TrainingSet"/>[i] under
    /// the policy after the round. Records the kept and dropped pairs and the acceptance threshold (the kept losses' median).
    /// </summary>
    public RopoRoundState StartRound(IReadOnlyList<double> pairLosses)
    {
        ArgumentNullException.ThrowIfNull(pairLosses);
        if (pairLosses.Count != trainingSet.Count)
        {
            throw new ArgumentException($"{pairLosses.Count} losses for {trainingSet.Count} pairs", nameof(pairLosses));
        }
        round++;
        long[] ids = [.. trainingSet.Select(p => p.PairId)];
        State = RopoRoundState.Filter(round, ids, [.. pairLosses], options.NoiseRate, options.Selection.Rounding);
        droppedPrompts.Clear();
        accepted.Clear();
        acceptedPrompts.Clear();
        int flipped = 0;
        foreach (long id in State.DroppedPairIds)
        {
            PreferenceExample p = byId[id];
            droppedPrompts.TryAdd(p.PromptId, p.Prompt);
            if (p.Flipped) flipped++;
        }
        droppedFlippedFraction = State.DroppedPairIds.Length == 0 ? 0 : (double)flipped / State.DroppedPairIds.Length;
        return State;
    }

    /// <summary>
    /// Rejection sampling for one dropped prompt: scores each of the K ≥ 2 samples by its implicit reward
    /// β (log π_θ − log π_ref) plus its reward (weights of <see cref="RopoOptions.Selection"/>), pairs the best with the
    /// worst and accepts the pair when its ℓ_ropo is strictly below the round's threshold.
    /// </summary>
    /// <param name="promptId">A prompt of <see cref="DroppedPromptIds"/>.</param>
    /// <param name="samples">Each sampled response with its sequence log-probabilities under the policy and the
    /// reference, and its reward; pass NaN rewards for all samples when no reward model or verifier is configured.</param>
    /// <returns>The accepted pair with a fresh id, or null when it is rejected.</returns>
    /// <exception cref="InvalidOperationException">No round has started.</exception>
    /// <exception cref="ArgumentException">The prompt was not dropped, already has an accepted pair this round, fewer
    /// than 2 samples, or rewards given for some samples only.</exception>
    public PreferenceExample? Consider(long promptId, IReadOnlyList<(int[] Response, double PolicyLogProb, double RefLogProb, double Reward)> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        RopoRoundState state = State ?? throw new InvalidOperationException("no round has started: call StartRound first");
        if (!droppedPrompts.TryGetValue(promptId, out int[]? prompt)) throw new ArgumentException($"prompt {promptId} had no pair dropped this round", nameof(promptId));
        if (acceptedPrompts.Contains(promptId)) throw new ArgumentException($"prompt {promptId} already has an accepted pair this round", nameof(promptId));
        double[] logRatios = [.. samples.Select(s => s.PolicyLogProb - s.RefLogProb)];
        int withReward = samples.Count(s => !double.IsNaN(s.Reward));
        if (withReward != 0 && withReward != samples.Count) throw new ArgumentException("rewards are given for some samples only", nameof(samples));
        double[] rewards = withReward == 0 ? [] : [.. samples.Select(s => s.Reward)];
        RopoRejectionSample choice = RopoRejectionSampling.ChoosePair(logRatios, rewards, state.AcceptanceThreshold, options, options.Selection);
        if (!choice.Accepted) return null;
        var pair = new PreferenceExample(nextPairId++, promptId, prompt, samples[choice.Chosen].Response, samples[choice.Rejected].Response, Flipped: false);
        State = state.Accept(pair.PairId);
        byId.Add(pair.PairId, pair);
        accepted.Add(pair);
        acceptedPrompts.Add(promptId);
        return pair;
    }

    /// <summary>Makes the kept and accepted pairs (ascending ids) the training set of the next round and returns it.</summary>
    /// <exception cref="InvalidOperationException">No round has started.</exception>
    public IReadOnlyList<PreferenceExample> NextRound()
    {
        RopoRoundState state = State ?? throw new InvalidOperationException("no round has started: call StartRound first");
        trainingSet = [.. state.NextRoundPairIds().Select(id => byId[id])];
        return trainingSet;
    }

    /// <summary>
    /// The last filter's figures: <c>ropo_kept_fraction</c> (kept / filtered), <c>ropo_accepted</c> (pairs accepted so far
    /// this round), <c>ropo_dropped_flipped_fraction</c> (of the dropped pairs, those whose label noise had flipped; known
    /// to evaluation only, never used in training) and <c>ropo_acceptance_threshold</c>. Empty before the first round.
    /// </summary>
    public IReadOnlyDictionary<string, double> Metrics()
    {
        if (State is not { } state) return new Dictionary<string, double>();
        int filtered = state.KeptPairIds.Length + state.DroppedPairIds.Length;
        return new Dictionary<string, double>
        {
            ["ropo_kept_fraction"] = (double)state.KeptPairIds.Length / filtered,
            ["ropo_accepted"] = state.AcceptedPairIds.Length,
            ["ropo_dropped_flipped_fraction"] = droppedFlippedFraction,
            ["ropo_acceptance_threshold"] = state.AcceptanceThreshold,
        };
    }
}
