namespace ActorRL.Models.Objectives;

/// <summary>
/// DRTO step 3 (OBJECTIVES.md, "DRTO"): the worst-case distribution q over n losses ℓ_k (the span losses of a
/// minibatch) inside an uncertainty set around the uniform u = 1/n, i.e. the q that maximizes Σ_k q_k ℓ_k.
/// The weights are computed from plain numbers, so they act as constants in the gradient.
/// </summary>
/// <remarks>
/// <para>Every solution is monotone: a smaller loss never gets more weight than a larger one, and equal losses get equal
/// weight (ties split evenly). All losses equal, or n = 1, gives the uniform q.</para>
/// <para>The losses are divided by max |ℓ| before solving (the sets are scale-free: τ and η scale with ℓ), and exponents
/// are taken of ℓ − max ℓ, so huge, tiny and negative losses solve alike.</para>
/// </remarks>
public static class DroWeights
{
    // τ is searched in [e^-690, e^690] times the loss scale (about 1e-300..1e300): at the bottom softmax(ℓ/τ) has
    // already collapsed onto the largest loss(es) in double precision, at the top it is uniform.
    private const double LogTemperatureBound = 690;
    private const int MaxBisectionSteps = 400;

    /// <summary>The weights q of <see cref="Solve"/>: one per loss, non-negative, summing to 1.</summary>
    /// <param name="losses">ℓ_k, finite; at least one.</param>
    /// <param name="set">The uncertainty set.</param>
    /// <param name="size">Radius ρ ≥ 0 for <see cref="DroSet.Kl"/> and <see cref="DroSet.ChiSquare"/>, temperature τ &gt; 0
    /// for <see cref="DroSet.KlPenalized"/>, α in (0, 1] for <see cref="DroSet.Cvar"/>
    /// (<see cref="DrtoOptions.Size"/> picks it from the options).</param>
    /// <exception cref="ArgumentException">No losses, a loss that is NaN or infinite, or a size out of range.</exception>
    public static double[] Compute(ReadOnlySpan<double> losses, DroSet set, double size) => Solve(losses, set, size).Weights;

    /// <summary>
    /// The worst-case q with its dual variable and the diagnostics DRTO reports (OBJECTIVES.md, "DRTO", step 4).
    /// <list type="bullet">
    /// <item><see cref="DroSet.Kl"/>, KL(q ‖ u) ≤ ρ: q = softmax(ℓ/τ), τ &gt; 0 found by bisection on log τ so that
    /// KL(q ‖ u) = ρ. ρ = 0 gives uniform; when ρ ≥ log(n/m), m the number of losses tied at the maximum (so always when
    /// ρ ≥ log n), no finite τ reaches ρ and all mass goes to the largest loss(es).</item>
    /// <item><see cref="DroSet.KlPenalized"/>: q = softmax(ℓ/τ) with τ = <paramref name="size"/>.</item>
    /// <item><see cref="DroSet.ChiSquare"/>, (1/(2n)) Σ (n q_k − 1)² ≤ ρ: q_k = (ℓ_k − η)_+ / Σ_j (ℓ_j − η)_+ with η
    /// such that the constraint is tight. When no weight clips, η = mean(ℓ) − √(Var(ℓ)/(2ρ)) in closed form and the worst
    /// case is mean(ℓ) + √(2ρ·Var(ℓ)); otherwise η is found by bisection. The most concentrated q, all mass on the m
    /// largest, has divergence (n − m)/(2m); a radius at least that is not binding and gives that q.</item>
    /// <item><see cref="DroSet.Cvar"/>: weight 1/(αn) on the ⌈αn⌉ largest losses, the last of them fractional so that
    /// the weights sum to 1 (α = 1 is uniform). Losses tied across that boundary share their weight evenly.</item>
    /// </list>
    /// </summary>
    /// <inheritdoc cref="Compute" path="/param"/>
    /// <inheritdoc cref="Compute" path="/exception"/>
    public static DroSolution Solve(ReadOnlySpan<double> losses, DroSet set, double size)
    {
        CheckArguments(losses, set, size);
        var x = new Normalized(losses);
        Dual dual = x.AllEqual ? Uniform(x, set, size) : set switch
        {
            DroSet.Kl => KlBall(x, size),
            DroSet.KlPenalized => KlPenalized(x, size),
            DroSet.ChiSquare => ChiSquareBall(x, size),
            _ => Cvar(x, size),
        };

        double[] q = dual.Weights;
        int n = q.Length;
        double worst = 0, kl = 0, chi = 0;
        for (int k = 0; k < n; k++)
        {
            worst += q[k] * x.Values[k];
            if (q[k] > 0) kl += q[k] * Math.Log(n * q[k]);
            chi += (n * q[k] - 1) * (n * q[k] - 1);
        }
        return new DroSolution
        {
            Set = set,
            Size = size,
            Weights = q,
            Temperature = dual.Temperature,
            Threshold = dual.Threshold,
            DualValue = dual.Value,
            WorstCaseValue = worst * x.Scale,
            KlFromUniform = kl,
            ChiSquareFromUniform = chi / (2.0 * n),
            LossMean = x.Mean * x.Scale,
            LossStd = x.Std * x.Scale,
            LossMin = x.LossMin,
            LossMax = x.LossMax,
        };
    }

    private static void CheckArguments(ReadOnlySpan<double> losses, DroSet set, double size)
    {
        if (losses.IsEmpty) throw new ArgumentException("at least one loss is needed", nameof(losses));
        for (int k = 0; k < losses.Length; k++)
        {
            if (!double.IsFinite(losses[k])) throw new ArgumentException($"loss [{k}] is {losses[k]}; losses must be finite", nameof(losses));
        }
        bool ok = set switch
        {
            DroSet.Kl or DroSet.ChiSquare => size >= 0 && double.IsFinite(size),
            DroSet.KlPenalized => size > 0 && double.IsFinite(size),
            DroSet.Cvar => size > 0 && size <= 1,
            _ => throw new ArgumentOutOfRangeException(nameof(set), set, "unknown uncertainty set"),
        };
        if (!ok)
        {
            string wanted = set switch
            {
                DroSet.Kl or DroSet.ChiSquare => "the radius ρ must be finite and >= 0",
                DroSet.KlPenalized => "the temperature τ must be finite and > 0",
                _ => "α must be in (0, 1]",
            };
            throw new ArgumentOutOfRangeException(nameof(size), size, $"{set}: {wanted}");
        }
    }

    /// <summary>q with its dual variable and dual objective, the latter two in the losses' own units.</summary>
    private readonly record struct Dual(double[] Weights, double Temperature, double Threshold, double Value);

    /// <summary>The losses divided by Scale = max |ℓ| (1 when all are 0), and their moments in those units.</summary>
    private sealed class Normalized
    {
        public Normalized(ReadOnlySpan<double> losses)
        {
            LossMin = double.PositiveInfinity;
            LossMax = double.NegativeInfinity;
            foreach (double l in losses)
            {
                LossMin = Math.Min(LossMin, l);
                LossMax = Math.Max(LossMax, l);
            }
            double scale = Math.Max(Math.Abs(LossMin), Math.Abs(LossMax));
            Scale = scale > 0 ? scale : 1;
            Values = new double[losses.Length];
            for (int k = 0; k < losses.Length; k++) Values[k] = losses[k] / Scale;
            XMax = LossMax / Scale;
            Ties = Values.Count(v => v == XMax);
            Mean = Values.Average();
            Std = Math.Sqrt(Values.Sum(v => (v - Mean) * (v - Mean)) / Values.Length);
        }

        public double[] Values { get; }
        public double Scale { get; }
        public double LossMin { get; }
        public double LossMax { get; }
        public double XMax { get; }
        public double Mean { get; }
        public double Std { get; }

        /// <summary>m: how many losses are tied at the maximum.</summary>
        public int Ties { get; }

        public int Count => Values.Length;
        public bool AllEqual => Ties == Count;

        /// <summary>1/m on the largest loss(es), 0 elsewhere: the limit τ → 0 or η → max ℓ.</summary>
        public double[] TopMass()
        {
            var q = new double[Count];
            for (int k = 0; k < Count; k++) q[k] = Values[k] == XMax ? 1.0 / Ties : 0;
            return q;
        }
    }

    private static double[] UniformWeights(int n) => Enumerable.Repeat(1.0 / n, n).ToArray();

    /// <summary>All losses equal: every set's worst case is the uniform q, whose value is the common loss.</summary>
    private static Dual Uniform(Normalized x, DroSet set, double size) => set switch
    {
        DroSet.Kl => new(UniformWeights(x.Count), double.PositiveInfinity, double.NaN, x.LossMax),
        DroSet.KlPenalized => new(UniformWeights(x.Count), size, double.NaN, x.LossMax),
        DroSet.ChiSquare => new(UniformWeights(x.Count), double.NaN, double.NegativeInfinity, x.LossMax),
        _ => new(UniformWeights(x.Count), double.NaN, x.LossMax, x.LossMax),
    };

    /// <summary>softmax(x/τ) computed from x − max x; also log Σ exp((x − max x)/τ) and KL(q ‖ u).</summary>
    private static double[] Softmax(Normalized x, double tau, out double logZ, out double kl)
    {
        var q = new double[x.Count];
        double z = 0;
        for (int k = 0; k < q.Length; k++)
        {
            q[k] = Math.Exp((x.Values[k] - x.XMax) / tau);
            z += q[k];
        }
        logZ = Math.Log(z);
        // KL(q ‖ u) = log n + Σ q_k log q_k with log q_k = (x_k − max)/τ − log Z: exact even where q_k underflows.
        double weighted = 0;
        for (int k = 0; k < q.Length; k++)
        {
            q[k] /= z;
            if (q[k] > 0) weighted += q[k] * (x.Values[k] - x.XMax) / tau;
        }
        kl = Math.Log(q.Length) + weighted - logZ;
        return q;
    }

    private static Dual KlBall(Normalized x, double rho)
    {
        int n = x.Count;
        if (rho == 0) return new(UniformWeights(n), double.PositiveInfinity, double.NaN, x.Mean * x.Scale);
        // As τ → 0, KL(softmax(ℓ/τ) ‖ u) rises to log(n/m); a radius at or beyond it is not binding.
        if (rho >= Math.Log((double)n / x.Ties)) return new(x.TopMass(), 0, double.NaN, x.LossMax);

        // KL(q_τ ‖ u) falls monotonically in τ; bisect on log τ, which treats τ = 1e-6 and τ = 1e6 alike.
        double lo = -LogTemperatureBound, hi = LogTemperatureBound;
        for (int step = 0; step < MaxBisectionSteps; step++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) break;
            Softmax(x, Math.Exp(mid), out _, out double kl);
            if (kl > rho) lo = mid;
            else hi = mid;
        }
        // hi keeps KL ≤ ρ: q stays inside the ball.
        double tau = Math.Exp(hi);
        double[] q = Softmax(x, tau, out double logZ, out _);
        // τ·log((1/n) Σ exp(x/τ)) + τρ, with log Σ exp(x/τ) = max x/τ + log Z.
        double dual = x.XMax + tau * (logZ - Math.Log(n)) + tau * rho;
        return new(q, tau * x.Scale, double.NaN, dual * x.Scale);
    }

    private static Dual KlPenalized(Normalized x, double temperature)
    {
        double tau = temperature / x.Scale;
        if (tau == 0) return new(x.TopMass(), temperature, double.NaN, x.LossMax);
        if (double.IsPositiveInfinity(tau)) return new(UniformWeights(x.Count), temperature, double.NaN, x.Mean * x.Scale);
        double[] q = Softmax(x, tau, out double logZ, out _);
        double value = x.XMax + tau * (logZ - Math.Log(x.Count));
        return new(q, temperature, double.NaN, value * x.Scale);
    }

    private static Dual ChiSquareBall(Normalized x, double rho)
    {
        int n = x.Count;
        if (rho == 0) return new(UniformWeights(n), double.NaN, double.NegativeInfinity, x.Mean * x.Scale);
        // The most concentrated q (1/m on the m largest) has divergence (n − m)/(2m); no feasible q reaches further.
        if (rho >= (n - x.Ties) / (2.0 * x.Ties)) return new(x.TopMass(), double.NaN, x.LossMax, x.LossMax);

        // No weight clips: with all losses active, D(η) = Var/(2(mean − η)²), so η = mean − √(Var/(2ρ)) in closed form.
        double eta = x.Mean - Math.Sqrt(x.Std * x.Std / (2 * rho));
        double smallest = x.Values.Min();
        if (eta > smallest)
        {
            // The smallest losses clip. D(η) = (1/(2n)) Σ (n q_k − 1)² rises monotonically in η, from D(min ℓ) < ρ to
            // (n − m)/(2m) > ρ just below max ℓ: bisect (in losses scaled to [−1, 1], so to full precision).
            double lo = smallest, hi = x.XMax;
            for (int step = 0; step < MaxBisectionSteps; step++)
            {
                double mid = 0.5 * (lo + hi);
                if (mid <= lo || mid >= hi) break;
                if (ChiSquareDivergence(x, mid) > rho) hi = mid;
                else lo = mid;
            }
            // lo keeps D ≤ ρ: q stays inside the ball.
            eta = lo;
        }

        var q = new double[n];
        double sum = 0, squares = 0;
        for (int k = 0; k < n; k++)
        {
            q[k] = Math.Max(x.Values[k] - eta, 0);
            sum += q[k];
            squares += q[k] * q[k];
        }
        for (int k = 0; k < n; k++) q[k] /= sum;
        double dual = Math.Sqrt(1 + 2 * rho) * Math.Sqrt(squares / n) + eta;
        return new(q, double.NaN, eta * x.Scale, dual * x.Scale);
    }

    /// <summary>(1/(2n)) Σ (n q_k − 1)² of q_k ∝ (x_k − η)_+, which is (n Σ w² / (Σ w)² − 1)/2 with w = (x − η)_+.</summary>
    private static double ChiSquareDivergence(Normalized x, double eta)
    {
        double sum = 0, squares = 0;
        foreach (double v in x.Values)
        {
            double w = Math.Max(v - eta, 0);
            sum += w;
            squares += w * w;
        }
        return sum > 0 ? (x.Count * squares / (sum * sum) - 1) / 2 : double.PositiveInfinity;
    }

    private static Dual Cvar(Normalized x, double alpha)
    {
        int n = x.Count;
        double an = alpha * n;
        // α·n that is an integer up to rounding (0.3·10 = 3.0000000000000004) counts as that integer, so that no
        // 1e-16 sliver of weight lands on the next loss.
        double nearest = Math.Round(an);
        if (Math.Abs(an - nearest) <= 1e-9 * an) an = nearest;
        int full = (int)Math.Floor(an);

        int[] order = Enumerable.Range(0, n).OrderByDescending(k => x.Values[k]).ToArray();
        var q = new double[n];
        for (int i = 0; i < n; i++)
        {
            q[order[i]] = i < full ? 1 / an : i == full ? 1 - full / an : 0;
        }
        // Losses tied across the boundary share their weight evenly: equal losses, equal weights.
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && x.Values[order[end]] == x.Values[order[start]]) end++;
            if (end - start > 1)
            {
                double shared = 0;
                for (int i = start; i < end; i++) shared += q[order[i]];
                for (int i = start; i < end; i++) q[order[i]] = shared / (end - start);
            }
            start = end;
        }

        // The value at risk, ℓ_(⌈αn⌉), minimizes the dual η + (1/(αn)) Σ (ℓ_k − η)_+.
        int atRisk = Math.Min((int)Math.Ceiling(an), n) - 1;
        double eta = x.Values[order[atRisk]];
        double excess = 0;
        foreach (double v in x.Values) excess += Math.Max(v - eta, 0);
        return new(q, double.NaN, eta * x.Scale, (eta + excess / an) * x.Scale);
    }
}
