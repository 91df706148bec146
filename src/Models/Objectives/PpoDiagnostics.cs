namespace ActorRL.Models.Objectives;

/// <summary>
/// Token means over the response tokens of one (micro-)batch, from detached values, for logging. They are means over
/// this micro-batch's own tokens: combine micro-batches with <see cref="Combine"/>, which weighs each by its tokens.
/// </summary>
/// <param name="ClipFraction">Share of tokens whose clipped surrogate term is the smaller (so they pass no gradient).</param>
/// <param name="ApproxKl">
/// Mean of (ρ − 1) − log ρ, the k3 estimate of KL(π_old ‖ π_θ) from tokens sampled by π_old: unbiased and never negative.
/// </param>
/// <param name="MeanRatio">Mean of ρ = π_θ / π_old (1 before the first optimizer step).</param>
/// <param name="ValueClipFraction">Share of tokens whose clipped value term is the larger.</param>
/// <param name="Tokens">Number of response tokens the means are over.</param>
public sealed record PpoDiagnostics(double ClipFraction, double ApproxKl, double MeanRatio, double ValueClipFraction, double Tokens)
{
    /// <summary>The diagnostics of two micro-batches together: token-weighted means.</summary>
    public PpoDiagnostics Combine(PpoDiagnostics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        double tokens = Tokens + other.Tokens;
        if (tokens == 0) return this;
        double Mean(double a, double b) => (a * Tokens + b * other.Tokens) / tokens;
        return new PpoDiagnostics(
            Mean(ClipFraction, other.ClipFraction),
            Mean(ApproxKl, other.ApproxKl),
            Mean(MeanRatio, other.MeanRatio),
            Mean(ValueClipFraction, other.ValueClipFraction),
            tokens);
    }
}
