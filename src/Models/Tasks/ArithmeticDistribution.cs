namespace ActorRL.Models.Tasks;

/// <summary>
/// Where <c>arithmetic</c> problems come from: a template is drawn uniformly from <paramref name="Templates"/> (so the
/// templates also set the mix of operations), then operands from the digit ranges of its operation.
/// </summary>
/// <param name="Name">Names the set in evaluation reports.</param>
/// <param name="AddendDigits">Digits of each addend (drawn independently).</param>
/// <param name="MultiplicandDigits">Digits of the left factor; the right factor is always one digit, 1–9.</param>
/// <param name="Templates">The wordings.</param>
public sealed record ArithmeticDistribution(
    string Name, DigitRange AddendDigits, DigitRange MultiplicandDigits, IReadOnlyList<ArithmeticTemplate> Templates)
{
    /// <summary>The digit range of a one-digit multiplier.</summary>
    public static readonly DigitRange MultiplierDigits = new(1, 1);

    /// <summary>Training wordings: compact ones with <c>=</c>, and two short verbal forms ending in <c>:</c>.</summary>
    public static readonly IReadOnlyList<ArithmeticTemplate> TrainingTemplates =
    [
        new(ArithmeticOperation.Add, "{a}+{b}="),
        new(ArithmeticOperation.Add, "add {a} and {b}:"),
        new(ArithmeticOperation.Add, "sum {a} {b}:"),
        new(ArithmeticOperation.Multiply, "{a}*{b}="),
        new(ArithmeticOperation.Multiply, "multiply {a} by {b}:"),
        new(ArithmeticOperation.Multiply, "product {a} {b}:"),
    ];

    /// <summary>Wordings never used in training: spaced operators, other verbs, questions, and the operands named in
    /// the reverse order.</summary>
    public static readonly IReadOnlyList<ArithmeticTemplate> ShiftedTemplates =
    [
        new(ArithmeticOperation.Add, "{a} + {b} ="),
        new(ArithmeticOperation.Add, "{a} plus {b} is"),
        new(ArithmeticOperation.Add, "what is {b} added to {a}?"),
        new(ArithmeticOperation.Multiply, "{a} * {b} ="),
        new(ArithmeticOperation.Multiply, "{a} times {b} is"),
        new(ArithmeticOperation.Multiply, "what is {a} multiplied by {b}?"),
    ];

    /// <summary>Training: 2–3 digit addends, 1–2 digit × 1 digit products, training wordings.</summary>
    public static ArithmeticDistribution Training { get; } = new("train", new(2, 3), new(1, 2), TrainingTemplates);

    /// <summary>In-range numbers asked in the shifted wordings.</summary>
    public static ArithmeticDistribution ShiftedWording { get; } = new("shifted-wording", new(2, 3), new(1, 2), ShiftedTemplates);

    /// <summary>Training wordings with numbers longer than any in training: 4-digit addends, 3-digit × 1 digit.</summary>
    public static ArithmeticDistribution ShiftedRange { get; } = new("shifted-range", new(4, 4), new(3, 3), TrainingTemplates);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public ArithmeticDistribution Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException($"{nameof(Name)} must not be empty");
        (AddendDigits ?? throw new ArgumentException($"{nameof(AddendDigits)} is missing")).Validate();
        (MultiplicandDigits ?? throw new ArgumentException($"{nameof(MultiplicandDigits)} is missing")).Validate();
        if (Templates is null || Templates.Count == 0) throw new ArgumentException($"{nameof(Templates)} must not be empty");
        foreach (ArithmeticTemplate template in Templates) template.Validate();
        return this;
    }

    /// <summary>Draws one problem.</summary>
    public ArithmeticProblem Sample(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArithmeticTemplate template = Templates[rng.Next(Templates.Count)];
        return template.Operation == ArithmeticOperation.Add
            ? new ArithmeticProblem(AddendDigits.Sample(rng), AddendDigits.Sample(rng), template)
            : new ArithmeticProblem(MultiplicandDigits.Sample(rng), rng.Next(1, 10), template);
    }

    /// <summary>An endless stream of problems, the same for the same seed.</summary>
    public IEnumerable<ArithmeticProblem> Problems(int seed)
    {
        Validate();
        var rng = new Random(seed);
        while (true) yield return Sample(rng);
    }

    /// <summary>Whether <paramref name="problem"/>'s operands lie in this distribution's ranges (wording aside).</summary>
    public bool InRange(ArithmeticProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return problem.Operation == ArithmeticOperation.Add
            ? AddendDigits.Contains(problem.Left) && AddendDigits.Contains(problem.Right)
            : MultiplicandDigits.Contains(problem.Left) && problem.Right is >= 1 and <= 9;
    }

    /// <summary>The longest problems the distribution can draw: per template, the largest operands (all nines), which
    /// have the most digits and a carry in every step, hence the longest prompt and worked answer.</summary>
    public IEnumerable<ArithmeticProblem> LongestProblems() =>
        Templates.Select(t => t.Operation == ArithmeticOperation.Add
            ? new ArithmeticProblem(AddendDigits.Largest, AddendDigits.Largest, t)
            : new ArithmeticProblem(MultiplicandDigits.Largest, 9, t));
}
