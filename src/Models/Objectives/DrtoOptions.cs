namespace ActorRL.Models.Objectives;

/// <summary>The uncertainty set of the distributionally robust span weights.</summary>
public enum DroSet
{
    /// <summary>KL ball KL(q ‖ u) ≤ ρ around uniform; the temperature is found by bisection.</summary>
    Kl,
    /// <summary>KL-penalized: q = softmax(ℓ / τ) with a fixed temperature τ.</summary>
    KlPenalized,
    /// <summary>χ² ball (1/(2n)) Σ (n q_k − 1)² ≤ ρ; the threshold is found by bisection.</summary>
    ChiSquare,
    /// <summary>CVaR_α: weight 1/(αn) on the top ⌈αn⌉ losses.</summary>
    Cvar,
}

/// <summary>DRTO: RTO with span losses reweighted inside an f-divergence ball (OBJECTIVES.md, "DRTO").</summary>
public sealed record DrtoOptions : IObjectiveOptions
{
    /// <inheritdoc/>
    public string Objective => "drto";

    /// <summary>The token rewards and PPO update of RTO.</summary>
    public RtoOptions Rto { get; init; } = new();

    /// <summary>Token ids that end a span (reasoning-step separators, newline). The boundary token closes its span.</summary>
    public IReadOnlyList<int> SpanBoundaryTokens { get; init; } = [];

    /// <summary>L: most tokens per span; a longer stretch without a boundary is cut into chunks of L.</summary>
    public int MaxSpanLength { get; init; } = 16;

    /// <summary>Which uncertainty set.</summary>
    public DroSet Set { get; init; } = DroSet.Kl;

    /// <summary>ρ of the KL and χ² balls (our choice where the paper leaves it open: 0.1).</summary>
    public double Radius { get; init; } = 0.1;

    /// <summary>τ of the penalized KL set.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>α of CVaR, in (0, 1].</summary>
    public double CvarAlpha { get; init; } = 0.2;

    /// <summary>The size argument of <c>DroWeights.Compute</c> for <see cref="Set"/>.</summary>
    public double Size => Set switch
    {
        DroSet.Kl or DroSet.ChiSquare => Radius,
        DroSet.KlPenalized => Temperature,
        _ => CvarAlpha,
    };

    /// <inheritdoc/>
    public void Validate()
    {
        Rto.Validate();
        Check.AtLeast(MaxSpanLength, 1, nameof(MaxSpanLength));
        Check.NonNegative(Radius, nameof(Radius));
        Check.Positive(Temperature, nameof(Temperature));
        Check.InRange(CvarAlpha, 0, 1, false, true, nameof(CvarAlpha));
    }
}
