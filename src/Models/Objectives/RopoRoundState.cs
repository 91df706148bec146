namespace ActorRL.Models.Objectives;

/// <summary>
/// ROPO's state after the filter of one round, journaled by the objective actor so that a restart resumes the same
/// training set. Plain arrays (ids ascending) so that it serializes as is; treat them as read-only.
/// </summary>
/// <param name="Round">The round whose losses were filtered (the first round is 1).</param>
/// <param name="KeptPairIds">Ids of the pairs kept, weight 1 in the next round.</param>
/// <param name="DroppedPairIds">Ids of the pairs dropped; their prompts are the ones to rejection-sample.</param>
/// <param name="AcceptanceThreshold">The median ℓ_ropo of the kept pairs: a rejection-sampled pair joins only below it.</param>
/// <param name="AcceptedPairIds">Ids of the rejection-sampled pairs accepted so far; they join the next round.</param>
public sealed record RopoRoundState(int Round, long[] KeptPairIds, long[] DroppedPairIds, double AcceptanceThreshold, long[] AcceptedPairIds)
{
    /// <summary>
    /// Filters one round: keeps the lowest-loss pairs (<see cref="RopoSelection.KeepLowestLoss"/>) and records their
    /// median loss as the acceptance threshold of rejection sampling.
    /// </summary>
    /// <param name="round">The round just trained.</param>
    /// <param name="pairIds">The id of each pair of the round, all different.</param>
    /// <param name="losses">ℓ_ropo of each pair, computed with the policy after the round.</param>
    /// <param name="noiseRate">ρ, the expected noise rate.</param>
    /// <param name="rounding">How (1 − ρ)N becomes a count.</param>
    public static RopoRoundState Filter(int round, ReadOnlySpan<long> pairIds, ReadOnlySpan<double> losses, double noiseRate,
        RopoKeepRounding rounding = RopoKeepRounding.Ceiling)
    {
        if (pairIds.Length != losses.Length) throw new ArgumentException($"{pairIds.Length} pair ids but {losses.Length} losses", nameof(losses));
        if (pairIds.IsEmpty) throw new ArgumentException("a round without pairs has nothing to filter", nameof(pairIds));
        if (new HashSet<long>(pairIds.ToArray()).Count != pairIds.Length) throw new ArgumentException("pair ids repeat", nameof(pairIds));
        int[] kept = RopoSelection.KeepLowestLoss(losses, noiseRate, rounding);
        if (kept.Length == 0) throw new ArgumentException($"noise rate {noiseRate} keeps none of {pairIds.Length} pairs", nameof(noiseRate));
        var isKept = new bool[pairIds.Length];
        var keptLosses = new double[kept.Length];
        for (int k = 0; k < kept.Length; k++)
        {
            isKept[kept[k]] = true;
            keptLosses[k] = losses[kept[k]];
        }
        var keptIds = new List<long>(kept.Length);
        var droppedIds = new List<long>(pairIds.Length - kept.Length);
        for (int i = 0; i < pairIds.Length; i++) (isKept[i] ? keptIds : droppedIds).Add(pairIds[i]);
        keptIds.Sort();
        droppedIds.Sort();
        return new RopoRoundState(round, [.. keptIds], [.. droppedIds], RopoSelection.Median(keptLosses), []);
    }

    /// <summary>This state with a rejection-sampled pair accepted into the next round.</summary>
    public RopoRoundState Accept(long pairId)
    {
        if (Array.BinarySearch(AcceptedPairIds, pairId) >= 0 || Array.BinarySearch(KeptPairIds, pairId) >= 0)
        {
            throw new ArgumentException($"pair {pairId} is already in the next round", nameof(pairId));
        }
        long[] accepted = [.. AcceptedPairIds, pairId];
        Array.Sort(accepted);
        return this with { AcceptedPairIds = accepted };
    }

    /// <summary>The pairs the next round trains on: the kept ones and the accepted ones, ascending.</summary>
    public long[] NextRoundPairIds()
    {
        long[] ids = [.. KeptPairIds, .. AcceptedPairIds];
        Array.Sort(ids);
        return ids;
    }

    /// <summary>Equal when every field is, the arrays element by element (a state read back from the journal equals the one written).</summary>
    public bool Equals(RopoRoundState? other) =>
        other is not null && Round == other.Round && AcceptanceThreshold.Equals(other.AcceptanceThreshold)
        && KeptPairIds.AsSpan().SequenceEqual(other.KeptPairIds) && DroppedPairIds.AsSpan().SequenceEqual(other.DroppedPairIds)
        && AcceptedPairIds.AsSpan().SequenceEqual(other.AcceptedPairIds);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Round);
        hash.Add(AcceptanceThreshold);
        foreach (long id in KeptPairIds) hash.Add(id);
        foreach (long id in DroppedPairIds) hash.Add(id);
        foreach (long id in AcceptedPairIds) hash.Add(id);
        return hash.ToHashCode();
    }
}
