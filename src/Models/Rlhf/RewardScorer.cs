using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// The reward role's scoring: each response's rewards R_i(x, y) — the task's exact verifier when it has one, otherwise
/// the learned reward model on prompt + response — and, for RCfD, the rewards of the prompt's demonstration
/// R_i(x, y_d), computed once per prompt (<see cref="RcfdDemoRewardCache"/>).
/// </summary>
/// <remarks>
/// With <c>lengthReward</c> every reward vector gains a last entry −|y| (−|y_d| for the demonstration). RCfD's
/// <see cref="RcfdOptions.LengthReward"/> adds the same model inside <see cref="RcfdObjective"/>: turn on one of the two,
/// not both.
/// </remarks>
public sealed class RewardScorer : IDisposable
{
    private readonly IRlTask task;
    private readonly bool lengthReward;

    /// <summary>Creates the scorer; it owns <paramref name="model"/>.</summary>
    /// <param name="task">The task (verifier and demonstrations).</param>
    /// <param name="model">The learned reward model, used where the task has no verifier; null when it always has one.</param>
    /// <param name="lengthReward">Append the length reward −|y| to every reward vector.</param>
    public RewardScorer(IRlTask task, RewardModel? model, bool lengthReward = false)
    {
        this.task = task ?? throw new ArgumentNullException(nameof(task));
        Model = model;
        this.lengthReward = lengthReward;
        model?.Eval();
        DemoCache = new RcfdDemoRewardCache(Models);
    }

    /// <summary>The learned reward model, or null.</summary>
    public RewardModel? Model { get; }

    /// <summary>Rewards per response: 1, or 2 with the length reward.</summary>
    public int Models => lengthReward ? 2 : 1;

    /// <summary>The demonstration rewards computed or remembered so far.</summary>
    public RcfdDemoRewardCache DemoCache { get; }

    /// <summary>Sequences per reward-model pass.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The rewards of one response: [R(x, y)] or [R(x, y), −|y|].</summary>
    public double[] Score(long promptId, int[] prompt, int[] response) => Score([(promptId, prompt, response)])[0];

    /// <summary>The rewards of each rollout's response, as <see cref="Score(long, int[], int[])"/>.</summary>
    public double[][] Score(IReadOnlyList<Rollout> rollouts)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        return Score([.. rollouts.Select(r => (r.PromptId, r.Prompt, r.Response))]);
    }

    /// <summary>
    /// The rewards of the prompt's demonstration, from the cache after the first call for the prompt.
    /// </summary>
    /// <exception cref="InvalidOperationException">The task has no demonstration for the prompt.</exception>
    public double[] DemonstrationRewards(long promptId, int[] prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return DemoCache.GetOrAdd(promptId, id =>
        {
            int[] demonstration = task.Demonstration(id)
                ?? throw new InvalidOperationException($"task {task.Name} has no demonstration for prompt {id}; RCfD needs one for every prompt");
            return Score(id, prompt, demonstration);
        }).ToArray();
    }

    /// <summary>
    /// Caches demonstration rewards computed earlier (by an earlier incarnation of the role, as the run journal kept
    /// them), so that <see cref="DemonstrationRewards"/> returns them instead of scoring the demonstration. A prompt
    /// already cached keeps its rewards.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="rewards"/> does not hold one reward per reward model.</exception>
    public void RememberDemonstrationRewards(long promptId, double[] rewards)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        if (!DemoCache.TryGet(promptId, out _)) DemoCache.Add(promptId, rewards);
    }

    private double[][] Score(IReadOnlyList<(long PromptId, int[] Prompt, int[] Response)> items)
    {
        var rewards = new double[items.Count][];
        var unverified = new List<int>();
        for (int i = 0; i < items.Count; i++)
        {
            double? verified = task.VerifiedReward(items[i].PromptId, items[i].Response);
            if (verified is double r) rewards[i] = With(r, items[i].Response);
            else unverified.Add(i);
        }
        if (unverified.Count > 0)
        {
            RewardModel model = Model ?? throw new InvalidOperationException($"task {task.Name} has no verifier for some responses and no reward model was given");
            double[] scores = ModelScores(model, [.. unverified.Select(i => items[i].Prompt.Concat(items[i].Response).ToArray())]);
            for (int k = 0; k < unverified.Count; k++) rewards[unverified[k]] = With(scores[k], items[unverified[k]].Response);
        }
        return rewards;
    }

    private double[] With(double reward, int[] response) => lengthReward ? [reward, Rcfd.LengthReward(response.Length)] : [reward];

    private double[] ModelScores(RewardModel model, int[][] sequences)
    {
        var scores = new double[sequences.Length];
        using var noGrad = NoGradScope.Enter();
        Device device = model.NamedParameters()[0].Tensor.Device;
        for (int start = 0; start < sequences.Length; start += BatchSize)
        {
            using var scope = new DisposeScope();
            int n = Math.Min(BatchSize, sequences.Length - start);
            int width = sequences.Skip(start).Take(n).Max(s => s.Length);
            var ids = new long[n * width];
            var mask = new long[n * width];
            for (int b = 0; b < n; b++)
            {
                int[] s = sequences[start + b];
                if (s.Length == 0) throw new ArgumentException("a reward-model input needs at least one token");
                for (int t = 0; t < s.Length; t++) (ids[b * width + t], mask[b * width + t]) = (s[t], 1);
            }
            Tensor rewards = model.Forward(Torch.From<long>(ids, [n, width], device), Torch.From<long>(mask, [n, width], device));
            rewards.To(ScalarType.Float64).ToArray<double>().CopyTo(scores, start);
        }
        return scores;
    }

    /// <summary>Frees the reward model.</summary>
    public void Dispose() => Model?.Dispose();
}
