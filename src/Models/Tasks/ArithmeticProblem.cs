namespace ActorRL.Models.Tasks;

/// <summary>One <c>arithmetic</c> problem: <paramref name="Left"/> op <paramref name="Right"/>, asked in the wording
/// of <paramref name="Template"/>.</summary>
/// <param name="Left">The left operand (a); for multiplication the multi-digit one.</param>
/// <param name="Right">The right operand (b); for multiplication a single digit.</param>
/// <param name="Template">The wording; its operation is the problem's.</param>
public sealed record ArithmeticProblem(long Left, long Right, ArithmeticTemplate Template)
{
    /// <summary>Addition or multiplication.</summary>
    public ArithmeticOperation Operation => Template.Operation;

    /// <summary>The exact answer.</summary>
    public long Answer => Operation == ArithmeticOperation.Add ? Left + Right : Left * Right;

    /// <summary>The prompt text: <c>&lt;|bos|&gt;</c> then the filled-in wording.</summary>
    public string PromptText => "<|bos|>" + Template.Fill(Left, Right);

    /// <summary>The step-by-step response text (<see cref="ArithmeticWorkedAnswer"/>).</summary>
    public string ResponseText => ArithmeticWorkedAnswer.Write(Operation, Left, Right);
}
