using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// Generalized advantage estimation (OBJECTIVES.md, "GAE"): δ_t = r_t + γ V_{t+1} − V_t,
/// A_t = Σ_l (γλ)^l δ_{t+l}, returns G_t = A_t + V_t. The value after a sequence's last response token is 0: the
/// episode ends there, so nothing is bootstrapped past it.
/// </summary>
public static class Gae
{
    /// <summary>Advantages A and returns G = A + V of one sequence of response tokens.</summary>
    /// <param name="rewards">r_t per response token (the sequence reward usually sits on the last one).</param>
    /// <param name="values">V_t per response token, as long as <paramref name="rewards"/>.</param>
    /// <param name="gamma">γ, the discount, in [0, 1].</param>
    /// <param name="lambda">λ, the bias–variance trade-off of the estimator, in [0, 1].</param>
    public static (double[] Advantages, double[] Returns) Compute(ReadOnlySpan<double> rewards, ReadOnlySpan<double> values, double gamma, double lambda)
    {
        CheckFactors(gamma, lambda);
        if (rewards.Length != values.Length)
        {
            throw new ArgumentException($"{rewards.Length} rewards but {values.Length} values", nameof(values));
        }
        var advantages = new double[rewards.Length];
        var returns = new double[rewards.Length];
        double nextValue = 0, nextAdvantage = 0;
        // Backwards, A_t = δ_t + γλ A_{t+1}: the sum over l in one pass.
        for (int t = rewards.Length - 1; t >= 0; t--)
        {
            double delta = rewards[t] + gamma * nextValue - values[t];
            nextAdvantage = delta + gamma * lambda * nextAdvantage;
            nextValue = values[t];
            advantages[t] = nextAdvantage;
            returns[t] = nextAdvantage + values[t];
        }
        return (advantages, returns);
    }

    /// <summary>
    /// Advantages and returns of a batch: <paramref name="rewards"/>, <paramref name="values"/> and
    /// <paramref name="mask"/> are [B, T]; each row is the sequence of the positions its mask selects (nonzero), so
    /// positions after a row's last response token are excluded and the value after that token is 0. A masked position
    /// inside a row (a tool's output in a multi-turn response) is skipped: the tokens either side of it are neighbours.
    /// Masked positions get advantage and return 0. The results have the dtype and device of <paramref name="values"/>
    /// and no gradient.
    /// </summary>
    /// <remarks>
    /// The recurrence runs on the host in double precision: it is a sequential scan over T of O(B) work per step, which
    /// as T device kernels per step would cost far more in launches than one copy of [B, T] values each way.
    /// </remarks>
    public static (Tensor Advantages, Tensor Returns) Compute(Tensor rewards, Tensor values, Tensor mask, double gamma, double lambda)
    {
        CheckFactors(gamma, lambda);
        long[] shape = values.Shape;
        if (shape.Length != 2) throw new ArgumentException($"values must be [B, T], not [{string.Join(", ", shape)}]", nameof(values));
        if (!rewards.Shape.SequenceEqual(shape) || !mask.Shape.SequenceEqual(shape))
        {
            throw new ArgumentException($"rewards [{string.Join(", ", rewards.Shape)}] and mask [{string.Join(", ", mask.Shape)}] must match values [{string.Join(", ", shape)}]");
        }
        int rows = checked((int)shape[0]), width = checked((int)shape[1]);
        double[] r, v;
        bool[] m;
        using (new DisposeScope())
        using (NoGradScope.Enter())
        {
            r = rewards.Detach().To(ScalarType.Float64).ToArray<double>();
            v = values.Detach().To(ScalarType.Float64).ToArray<double>();
            m = MaskedMean.Selected(mask).ToArray<bool>();
        }

        var advantages = new double[r.Length];
        var returns = new double[r.Length];
        var positions = new List<int>(width);
        for (int b = 0; b < rows; b++)
        {
            positions.Clear();
            for (int t = 0; t < width; t++)
            {
                if (m[b * width + t]) positions.Add(b * width + t);
            }
            double[] rowRewards = positions.Select(i => r[i]).ToArray(), rowValues = positions.Select(i => v[i]).ToArray();
            var (rowAdvantages, rowReturns) = Compute(rowRewards, rowValues, gamma, lambda);
            for (int k = 0; k < positions.Count; k++)
            {
                advantages[positions[k]] = rowAdvantages[k];
                returns[positions[k]] = rowReturns[k];
            }
        }
        return (ToTensor(advantages, shape, values), ToTensor(returns, shape, values));
    }

    private static Tensor ToTensor(double[] data, long[] shape, Tensor like)
    {
        Tensor exact = Torch.From<double>(data, shape, like.Device);
        if (like.DType == ScalarType.Float64) return exact;
        using (exact) return exact.To(like.DType);
    }

    private static void CheckFactors(double gamma, double lambda)
    {
        if (!(gamma >= 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "γ must be in [0, 1]");
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be in [0, 1]");
    }
}
