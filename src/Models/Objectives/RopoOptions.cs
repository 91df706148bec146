namespace ActorRL.Models.Objectives;

/// <summary>ROPO: noise-tolerant preference optimization with filtering and rejection sampling (OBJECTIVES.md, "ROPO").</summary>
public sealed record RopoOptions : IObjectiveOptions
{
    /// <inheritdoc/>
    public string Objective => "ropo";

    /// <summary>β of the implicit reward.</summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>α: weight of the non-aggressive term; must be &gt; 2.</summary>
    public double Alpha { get; init; } = 14.0;

    /// <summary>ρ: expected label-noise rate; the (1 − ρ)N lowest-loss pairs are kept each round.</summary>
    public double NoiseRate { get; init; } = 0.2;

    /// <summary>K: responses sampled per dropped prompt for rejection sampling.</summary>
    public int RejectionSamples { get; init; } = 4;

    /// <summary>Rounding of the kept count and how candidates are scored for rejection sampling.</summary>
    public RopoSelectionOptions Selection { get; init; } = new();

    /// <inheritdoc/>
    public void Validate()
    {
        Check.Positive(Beta, nameof(Beta));
        if (!(Alpha > 2) || double.IsInfinity(Alpha)) throw new InvalidOptionException(nameof(Alpha), $"must be > 2, not {Alpha}");
        Check.InRange(NoiseRate, 0, 1, true, false, nameof(NoiseRate));
        Check.AtLeast(RejectionSamples, 2, nameof(RejectionSamples));
        Selection.Validate();
    }
}
