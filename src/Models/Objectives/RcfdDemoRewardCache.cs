namespace ActorRL.Models.Objectives;

/// <summary>
/// The demonstration rewards R_i(x, y_d) of each prompt, computed once and reused by every rollout of that prompt
/// (OBJECTIVES.md, "RCfD": R(x, y_d) is fixed per prompt). One value per reward model, the length reward included when
/// configured. Owned by one actor, hence not thread-safe; <see cref="ToState"/> and <see cref="FromState"/> carry it
/// through checkpoints so that a restart does not score the demonstrations again.
/// </summary>
public sealed class RcfdDemoRewardCache
{
    private readonly Dictionary<long, double[]> rewards = [];

    /// <summary>An empty cache for <paramref name="models"/> reward models.</summary>
    public RcfdDemoRewardCache(int models)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(models, 1);
        Models = models;
    }

    /// <summary>M: rewards per prompt.</summary>
    public int Models { get; }

    /// <summary>Prompts cached.</summary>
    public int Count => rewards.Count;

    /// <summary>Whether the prompt's demonstration rewards are cached, and they if so.</summary>
    public bool TryGet(long promptId, out ReadOnlySpan<double> demoRewards)
    {
        bool found = rewards.TryGetValue(promptId, out double[]? values);
        demoRewards = values;
        return found;
    }

    /// <summary>
    /// The prompt's demonstration rewards, calling <paramref name="compute"/> (which scores the demonstration with each
    /// reward model) only the first time the prompt is seen.
    /// </summary>
    public ReadOnlySpan<double> GetOrAdd(long promptId, Func<long, double[]> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        if (rewards.TryGetValue(promptId, out double[]? cached)) return cached;
        double[] values = compute(promptId);
        Add(promptId, values);
        return values;
    }

    /// <summary>Caches the prompt's demonstration rewards; a prompt is added once.</summary>
    public void Add(long promptId, ReadOnlySpan<double> demoRewards)
    {
        if (demoRewards.Length != Models)
        {
            throw new ArgumentException($"prompt {promptId}: {demoRewards.Length} demonstration rewards for {Models} reward models", nameof(demoRewards));
        }
        if (!rewards.TryAdd(promptId, demoRewards.ToArray()))
        {
            throw new ArgumentException($"prompt {promptId} is already cached", nameof(promptId));
        }
    }

    /// <summary>The cache as plain arrays, prompts in ascending id order.</summary>
    public RcfdDemoRewardCacheState ToState()
    {
        long[] ids = [.. rewards.Keys];
        Array.Sort(ids);
        var flat = new double[ids.Length * Models];
        for (int p = 0; p < ids.Length; p++) rewards[ids[p]].CopyTo(flat, p * Models);
        return new RcfdDemoRewardCacheState(Models, ids, flat);
    }

    /// <summary>A cache holding what <paramref name="state"/> holds.</summary>
    public static RcfdDemoRewardCache FromState(RcfdDemoRewardCacheState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var cache = new RcfdDemoRewardCache(state.Models);
        if (state.Rewards.Length != state.PromptIds.Length * state.Models)
        {
            throw new ArgumentException(
                $"{state.Rewards.Length} rewards for {state.PromptIds.Length} prompts of {state.Models} models", nameof(state));
        }
        for (int p = 0; p < state.PromptIds.Length; p++)
        {
            cache.Add(state.PromptIds[p], state.Rewards.AsSpan(p * state.Models, state.Models));
        }
        return cache;
    }
}
