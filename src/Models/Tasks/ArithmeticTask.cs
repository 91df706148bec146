using ActorRL.Models.Text;
using ActorRL.Models.Training;

namespace ActorRL.Models.Tasks;

/// <summary>
/// The built-in <c>arithmetic</c> task: multi-digit addition and multiplication answered step by step
/// (<see cref="ArithmeticWorkedAnswer"/>), rewarded by an exact-answer verifier (<see cref="ArithmeticVerifier"/>),
/// trained on <see cref="ArithmeticDistribution.Training"/> and evaluated there and on shifted wordings and number
/// ranges (<see cref="ArithmeticDistribution.ShiftedWording"/>, <see cref="ArithmeticDistribution.ShiftedRange"/>).
/// </summary>
/// <remarks>Tokens are bytes plus the specials <c>pad</c>, <c>bos</c>, <c>eos</c>, <c>step</c> (the reasoning-step
/// separator: DRTO's span boundary) and <c>answer</c> (introduces the final answer; also a sensible span boundary).
/// With the default distributions a prompt plus its worked answer is at most <see cref="SequenceBound"/> tokens.</remarks>
public sealed class ArithmeticTask
{
    /// <summary>Most tokens in a prompt plus its worked answer under the built-in distributions (a model's context
    /// length of this size fits them all).</summary>
    public const int SequenceBound = 128;

    /// <summary>Creates the task with its tokenizer.</summary>
    public ArithmeticTask() => Tokenizer = CreateTokenizer();

    /// <summary>The task's tokenizer.</summary>
    public ByteTokenizer Tokenizer { get; }

    /// <summary>Ids of the span boundaries of worked answers: <c>step</c> and <c>answer</c>.</summary>
    public IReadOnlySet<int> StepBoundaryTokens =>
        new HashSet<int> { Tokenizer.Special(ArithmeticWorkedAnswer.StepToken), Tokenizer.Special(ArithmeticWorkedAnswer.AnswerToken) };

    /// <summary>A byte tokenizer with the task's specials: <c>pad</c>, <c>bos</c>, <c>eos</c>, <c>step</c>, <c>answer</c>
    /// (ids 256–260).</summary>
    public static ByteTokenizer CreateTokenizer() => new(ArithmeticWorkedAnswer.StepToken, ArithmeticWorkedAnswer.AnswerToken);

    /// <summary>The prompt's ids.</summary>
    public int[] Prompt(ArithmeticProblem problem) => Tokenizer.Encode((problem ?? throw new ArgumentNullException(nameof(problem))).PromptText);

    /// <summary>The worked answer's ids, <c>eos</c> last.</summary>
    public int[] Response(ArithmeticProblem problem) => Tokenizer.Encode((problem ?? throw new ArgumentNullException(nameof(problem))).ResponseText);

    /// <summary>An endless stream of (prompt, worked answer) pairs for supervised fine-tuning, the same for the same seed.</summary>
    public IEnumerable<SftExample> SftExamples(ArithmeticDistribution distribution, int seed)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return distribution.Problems(seed).Select(p => new SftExample(Prompt(p), Response(p)));
    }

    /// <summary><paramref name="count"/> problems of <paramref name="distribution"/> as an evaluation set.</summary>
    public ArithmeticEvalSet EvalSet(ArithmeticDistribution distribution, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var items = distribution.Problems(seed).Take(count).Select(p => new ArithmeticEvalItem(Prompt(p), p.Answer)).ToList();
        return new ArithmeticEvalSet(distribution.Name, items, MaxResponseTokens(distribution));
    }

    /// <summary>The longest prompt <paramref name="distribution"/> can produce, in tokens.</summary>
    public int MaxPromptTokens(ArithmeticDistribution distribution) =>
        (distribution ?? throw new ArgumentNullException(nameof(distribution))).Validate().LongestProblems().Max(p => Prompt(p).Length);

    /// <summary>The longest worked answer <paramref name="distribution"/> can produce, in tokens (<c>eos</c> included).</summary>
    public int MaxResponseTokens(ArithmeticDistribution distribution) =>
        (distribution ?? throw new ArgumentNullException(nameof(distribution))).Validate().LongestProblems().Max(p => Response(p).Length);

    /// <summary>The exact-answer reward of a completion: 1 when it answers <paramref name="answer"/>, else 0.</summary>
    public double Reward(ReadOnlySpan<int> completion, long answer) => ArithmeticVerifier.Reward(completion, answer, Tokenizer);
}
