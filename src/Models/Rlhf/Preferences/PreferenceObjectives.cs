using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>The preference objectives by name: <c>dpo</c> (and conservative DPO through its label smoothing) and <c>ropo</c>.</summary>
public static class PreferenceObjectives
{
    private static readonly Dictionary<string, Func<IObjectiveOptions, IPreferenceObjective>> Factories = new(StringComparer.Ordinal)
    {
        ["dpo"] = options => new DpoPreferenceObjective(As<DpoOptions>(options, "dpo")),
        ["ropo"] = options => new RopoPreferenceObjective(As<RopoOptions>(options, "ropo")),
    };

    /// <summary>The registered names.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Whether <paramref name="name"/> is a preference objective (trained on pairs, not rollouts).</summary>
    public static bool IsPreference(string name) => Factories.ContainsKey(name);

    /// <summary>Creates the objective <paramref name="name"/> with its validated options.</summary>
    /// <exception cref="KeyNotFoundException">No preference objective has that name.</exception>
    /// <exception cref="ArgumentException">The options belong to another objective.</exception>
    /// <exception cref="InvalidOptionException">An option is out of range.</exception>
    public static IPreferenceObjective Create(string name, IObjectiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        if (!Factories.TryGetValue(name, out var factory))
        {
            throw new KeyNotFoundException($"unknown preference objective '{name}'; known: {string.Join(", ", Factories.Keys)}");
        }
        options.Validate();
        return factory(options);
    }

    /// <summary>
    /// Sequence log-probabilities of the batch's chosen and rejected responses under <paramref name="policy"/> (one
    /// forward pass, with graph), the reference's as constants, and the diagnostics of the pairs of weight &gt; 0.
    /// </summary>
    internal static (Tensor Margins, Tensor Weights, Dictionary<string, double> Metrics) Margins(CausalLM policy,
        IReadOnlyList<PreferenceSample> batch, int padId, double beta)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) throw new ArgumentException("the batch is empty", nameof(batch));
        int n = batch.Count;
        var items = new List<(int[], int[])>(2 * n);
        items.AddRange(batch.Select(p => (p.Prompt, p.Chosen)));
        items.AddRange(batch.Select(p => (p.Prompt, p.Rejected)));
        Tensor logProbs = SequenceLogProbs.Compute(policy, items, padId);
        Device device = logProbs.Device;
        Tensor policyChosen = logProbs.Narrow(0, 0, n), policyRejected = logProbs.Narrow(0, n, n);
        Tensor referenceChosen = Torch.From<float>([.. batch.Select(p => (float)p.RefChosen)], [n], device);
        Tensor referenceRejected = Torch.From<float>([.. batch.Select(p => (float)p.RefRejected)], [n], device);
        Tensor weights = Torch.From<float>([.. batch.Select(p => (float)p.Weight)], [n], device);
        Tensor margins = Dpo.Margins(policyChosen, policyRejected, referenceChosen, referenceRejected);

        double[] pc = Dpo.ToDoubles(policyChosen), pr = Dpo.ToDoubles(policyRejected);
        int[] counted = [.. Enumerable.Range(0, n).Where(i => batch[i].Weight > 0)];
        var metrics = new Dictionary<string, double>();
        if (counted.Length > 0)
        {
            DpoDiagnostics d = Dpo.Diagnostics([.. counted.Select(i => pc[i])], [.. counted.Select(i => pr[i])],
                [.. counted.Select(i => (double)(float)batch[i].RefChosen)], [.. counted.Select(i => (double)(float)batch[i].RefRejected)], beta);
            metrics["reward_accuracy"] = d.Accuracy;
            metrics["reward_margin"] = d.RewardMargin;
            metrics["chosen_reward"] = d.ChosenReward;
            metrics["rejected_reward"] = d.RejectedReward;
        }
        return (margins, weights, metrics);
    }

    /// <summary>Σ w ℓ / Σ w; a batch whose weights are all 0 has loss 0 (no gradient) instead of 0/0.</summary>
    internal static Tensor WeightedMean(Tensor losses, Tensor weights)
    {
        Tensor total = weights.Sum();
        return (losses * weights).Sum() / (total + total.Eq(0).To(total.DType));
    }

    private static T As<T>(IObjectiveOptions options, string name) where T : IObjectiveOptions =>
        options is T typed ? typed : throw new ArgumentException($"objective '{name}' needs {typeof(T).Name}, not {options.GetType().Name}", nameof(options));
}
