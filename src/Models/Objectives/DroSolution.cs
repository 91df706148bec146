namespace ActorRL.Models.Objectives;

/// <summary>
/// The worst-case distribution q over n span losses ℓ_k inside a <see cref="DroSet"/> around uniform u = 1/n, and
/// what DRTO reports about it each step (OBJECTIVES.md, "DRTO", steps 3–4). Produced by <see cref="DroWeights.Solve"/>.
/// </summary>
public sealed record DroSolution
{
    /// <summary>The uncertainty set that was solved.</summary>
    public required DroSet Set { get; init; }

    /// <summary>Its size: radius ρ (Kl, ChiSquare), temperature τ (KlPenalized) or α (Cvar).</summary>
    public required double Size { get; init; }

    /// <summary>q: one weight per loss, in the losses' order; non-negative, summing to 1.</summary>
    public required double[] Weights { get; init; }

    /// <summary>
    /// The dual temperature τ of q = softmax(ℓ/τ) for <see cref="DroSet.Kl"/> and <see cref="DroSet.KlPenalized"/>:
    /// +∞ when q is uniform (ρ = 0, or all losses equal), 0 when all mass sits on the largest loss; NaN for the other sets.
    /// </summary>
    public required double Temperature { get; init; }

    /// <summary>
    /// The dual threshold: η of q_k ∝ (ℓ_k − η)_+ for <see cref="DroSet.ChiSquare"/> (−∞ when q is uniform, the largest
    /// loss when all mass sits on it); the value at risk ℓ_(⌈αn⌉) (the ⌈αn⌉-th largest loss) for <see cref="DroSet.Cvar"/>;
    /// NaN for the KL sets.
    /// </summary>
    public required double Threshold { get; init; }

    /// <summary>
    /// The dual objective evaluated at the dual variable above. For the balls it equals the worst case Σ q_k ℓ_k (strong
    /// duality), which makes it a check on the solver: KL: τ·log((1/n) Σ exp(ℓ_k/τ)) + τρ; χ²: √(1 + 2ρ)·√((1/n) Σ
    /// (ℓ_k − η)_+²) + η; CVaR: η + (1/(αn)) Σ (ℓ_k − η)_+. For KlPenalized it is the penalized value
    /// τ·log((1/n) Σ exp(ℓ_k/τ)) = Σ q_k ℓ_k − τ·KL(q ‖ u).
    /// </summary>
    public required double DualValue { get; init; }

    /// <summary>The worst-case objective Σ_k q_k ℓ_k.</summary>
    public required double WorstCaseValue { get; init; }

    /// <summary>KL(q ‖ u) = Σ q_k log(n q_k), whatever the set.</summary>
    public required double KlFromUniform { get; init; }

    /// <summary>(1/(2n)) Σ (n q_k − 1)², the χ² divergence of the χ² ball, whatever the set.</summary>
    public required double ChiSquareFromUniform { get; init; }

    /// <summary>Mean of the losses.</summary>
    public required double LossMean { get; init; }

    /// <summary>Standard deviation of the losses (1/n normalization).</summary>
    public required double LossStd { get; init; }

    /// <summary>Smallest loss.</summary>
    public required double LossMin { get; init; }

    /// <summary>Largest loss.</summary>
    public required double LossMax { get; init; }

    /// <summary>n: how many losses (spans) were weighted.</summary>
    public int Count => Weights.Length;

    /// <summary>The span-loss spread max ℓ − min ℓ.</summary>
    public double LossSpread => LossMax - LossMin;

    /// <summary>The largest weight (1/n when uniform, 1 when all mass is on one loss).</summary>
    public double MaxWeight => Weights.Max();

    /// <summary>Effective sample size (Σ q)² / Σ q²: n when uniform, 1 when all mass is on one loss.</summary>
    public double EffectiveSampleSize
    {
        get
        {
            double sum = 0, squares = 0;
            foreach (double q in Weights)
            {
                sum += q;
                squares += q * q;
            }
            return sum * sum / squares;
        }
    }
}
