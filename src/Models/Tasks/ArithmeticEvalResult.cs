namespace ActorRL.Models.Tasks;

/// <summary>Exact-match counts of a policy on one evaluation set.</summary>
/// <param name="Name">The set's name.</param>
/// <param name="Correct">Completions with the true answer.</param>
/// <param name="Wrong">Completions with a well-formed but wrong answer.</param>
/// <param name="NoAnswer">Completions without a well-formed answer.</param>
public sealed record ArithmeticEvalResult(string Name, int Correct, int Wrong, int NoAnswer)
{
    /// <summary>Problems evaluated.</summary>
    public int Total => Correct + Wrong + NoAnswer;

    /// <summary>Fraction answered exactly (0 for an empty set).</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}
