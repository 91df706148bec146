namespace ActorRL.Models.Objectives;

/// <summary>DPO, and conservative DPO with label smoothing ε (the baselines of ROPO).</summary>
public sealed record DpoOptions : IObjectiveOptions
{
    /// <inheritdoc/>
    public string Objective => "dpo";

    /// <summary>β of the implicit reward.</summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>ε: assumed probability that a label is flipped (0 is plain DPO); in [0, 0.5).</summary>
    public double LabelSmoothing { get; init; }

    /// <inheritdoc/>
    public void Validate()
    {
        Check.Positive(Beta, nameof(Beta));
        Check.InRange(LabelSmoothing, 0, 0.5, true, false, nameof(LabelSmoothing));
    }
}
