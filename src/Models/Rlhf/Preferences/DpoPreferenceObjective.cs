using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// DPO on preference pairs, −log σ(βΔ), or conservative DPO −(1−ε) log σ(βΔ) − ε log σ(−βΔ) with label smoothing ε
/// (<see cref="Dpo"/>); ROPO's baselines. Pairs are weighted as <see cref="PreferenceSample.Weight"/> says.
/// </summary>
public sealed class DpoPreferenceObjective : IPreferenceObjective
{
    /// <summary>Creates the objective with validated options.</summary>
    public DpoPreferenceObjective(DpoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>β and ε.</summary>
    public DpoOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "dpo";

    /// <inheritdoc/>
    public double Beta => Options.Beta;

    /// <inheritdoc/>
    public ObjectiveLoss Loss(CausalLM policy, IReadOnlyList<PreferenceSample> batch, int padId)
    {
        var (margins, weights, metrics) = PreferenceObjectives.Margins(policy, batch, padId, Options.Beta);
        Tensor loss = PreferenceObjectives.WeightedMean(Dpo.PairLosses(margins, Options.Beta, Options.LabelSmoothing), weights);
        metrics["loss"] = loss.ToDouble();
        return new ObjectiveLoss(loss, metrics);
    }

    /// <inheritdoc/>
    public double PairLoss(double margin) => Dpo.Loss(margin, Options.Beta, Options.LabelSmoothing);
}
