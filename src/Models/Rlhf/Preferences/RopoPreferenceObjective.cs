using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// ROPO's loss on preference pairs, (4α/(1+α)²)(−log σ(βΔ) + α σ(−βΔ)) (<see cref="Ropo"/>), averaged with the pairs'
/// weights. The filtering and rejection sampling between rounds are <see cref="RopoRounds"/>'.
/// </summary>
public sealed class RopoPreferenceObjective : IPreferenceObjective
{
    /// <summary>Creates the objective with validated options.</summary>
    public RopoPreferenceObjective(RopoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>β, α, ρ, K and the selection rule.</summary>
    public RopoOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "ropo";

    /// <inheritdoc/>
    public double Beta => Options.Beta;

    /// <inheritdoc/>
    public ObjectiveLoss Loss(CausalLM policy, IReadOnlyList<PreferenceSample> batch, int padId)
    {
        var (margins, weights, metrics) = PreferenceObjectives.Margins(policy, batch, padId, Options.Beta);
        Tensor loss = Ropo.Loss(margins, Options.Beta, Options.Alpha, weights);
        metrics["loss"] = loss.ToDouble();
        return new ObjectiveLoss(loss, metrics);
    }

    /// <inheritdoc/>
    public double PairLoss(double margin) => Ropo.Loss(margin, Options);
}
