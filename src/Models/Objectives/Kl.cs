using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// Per-token estimators of KL(π_old ‖ π_ref) from tokens sampled by π_old (OBJECTIVES.md, "PPO"), with
/// k1 = log π_old(y_t) − log π_ref(y_t). k1 is unbiased but can be negative per token; k2 = ½ k1² is never negative
/// and is biased; k3 = exp(−k1) − 1 + k1 is unbiased and never negative (Schulman's "Approximating KL divergence").
/// </summary>
public static class Kl
{
    /// <summary>The estimate per token, elementwise over <paramref name="logProbs"/> (log π_old) and <paramref name="refLogProbs"/> (log π_ref).</summary>
    public static Tensor Estimate(Tensor logProbs, Tensor refLogProbs, KlEstimator estimator)
    {
        Tensor k1 = logProbs - refLogProbs;
        return estimator switch
        {
            KlEstimator.K1 => k1,
            KlEstimator.K2 => 0.5 * k1.Square(),
            KlEstimator.K3 => (-k1).Exp() - 1 + k1,
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "unknown KL estimator"),
        };
    }

    /// <summary>The estimate for one token.</summary>
    public static double Estimate(double logProb, double refLogProb, KlEstimator estimator)
    {
        double k1 = logProb - refLogProb;
        return estimator switch
        {
            KlEstimator.K1 => k1,
            KlEstimator.K2 => 0.5 * k1 * k1,
            KlEstimator.K3 => Math.Exp(-k1) - 1 + k1,
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "unknown KL estimator"),
        };
    }
}
