namespace ActorRL.Models.Objectives;

/// <summary>The content of a <see cref="RcfdDemoRewardCache"/> as plain arrays, for checkpoints and the journal.</summary>
/// <param name="Models">M: rewards per prompt.</param>
/// <param name="PromptIds">The cached prompts, ascending.</param>
/// <param name="Rewards">[prompts, M] row-major: R_i(x, y_d) of prompt p is <c>Rewards[p * M + i]</c>.</param>
public sealed record RcfdDemoRewardCacheState(int Models, long[] PromptIds, double[] Rewards)
{
    /// <summary>Equal when the counts and every id and reward are.</summary>
    public bool Equals(RcfdDemoRewardCacheState? other) =>
        other is not null && Models == other.Models
        && PromptIds.AsSpan().SequenceEqual(other.PromptIds) && Rewards.AsSpan().SequenceEqual(other.Rewards);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Models);
        foreach (long id in PromptIds) hash.Add(id);
        foreach (double r in Rewards) hash.Add(r);
        return hash.ToHashCode();
    }
}
