using System.Globalization;
using ActorRL.Models.Tasks;
using ActorRL.Models.Text;
using ActorRL.Models.Training;
using GroundTruthPairs = ActorRL.Models.Tasks.PreferencePairs;

namespace ActorRL.Models.Rlhf.Tasks;

/// <summary>
/// The <c>arithmetic</c> task as the pipeline sees it (<see cref="ArithmeticTask"/>): prompts drawn from
/// <see cref="ArithmeticDistribution.Training"/>, worked answers as demonstrations, the exact-answer verifier as the
/// reward, and accuracy in-distribution and under shifted wording and number range as the evaluation.
/// </summary>
/// <remarks>
/// Prompt <c>id</c> is the problem drawn by a <see cref="Random"/> seeded from (seed, id) with a process-independent
/// mix, so any actor rebuilds it from the id. Preference pairs answer prompts 0 … count−1: the chosen response is the
/// correct worked answer, the rejected one the same worked answer with a slip in its last step (that step's result off
/// by one, its low digits and the final answer following from the slip), a well-formed wrong answer the verifier scores 0.
/// </remarks>
public sealed class ArithmeticRlTask : IRlTask
{
    private const ulong PromptStream = 1, SlipStream = 2, NoiseStream = 3, EvalStream = 4;

    private static readonly ArithmeticDistribution[] EvalDistributions =
        [ArithmeticDistribution.Training, ArithmeticDistribution.ShiftedWording, ArithmeticDistribution.ShiftedRange];

    private readonly ArithmeticTask task = new();
    private readonly int seed;

    /// <summary>Creates the task; <paramref name="seed"/> fixes the prompt of every id.</summary>
    public ArithmeticRlTask(int seed)
    {
        this.seed = seed;
        StepBoundaryTokens = task.StepBoundaryTokens;
        MaxPromptTokens = task.MaxPromptTokens(ArithmeticDistribution.Training);
    }

    /// <inheritdoc/>
    public string Name => "arithmetic";

    /// <inheritdoc/>
    public ITokenizer Tokenizer => task.Tokenizer;

    /// <inheritdoc/>
    public IReadOnlySet<int> StepBoundaryTokens { get; }

    /// <inheritdoc/>
    public int MaxPromptTokens { get; }

    /// <summary>The training problem with this id.</summary>
    public ArithmeticProblem Problem(long promptId) =>
        ArithmeticDistribution.Training.Sample(new Random(StableSeed.Of(seed, promptId, PromptStream)));

    /// <inheritdoc/>
    public int[] Prompt(long promptId) => task.Prompt(Problem(promptId));

    /// <inheritdoc/>
    public int[]? Demonstration(long promptId) => task.Response(Problem(promptId));

    /// <inheritdoc/>
    public double? VerifiedReward(long promptId, int[] response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return task.Reward(response, Problem(promptId).Answer);
    }

    /// <inheritdoc/>
    public IReadOnlyList<SftExample> SftExamples(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return [.. task.SftExamples(ArithmeticDistribution.Training, seed).Take(count)];
    }

    /// <summary>None: the verifier is the reward.</summary>
    public IReadOnlyList<(int[] Ids, double Target)> RewardExamples(int count, int seed) => [];

    /// <inheritdoc/>
    public IReadOnlyList<PreferenceExample> PreferencePairs(int count, double noiseRate, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var problems = Enumerable.Range(0, count).Select(i => Problem(i)).ToList();
        var candidates = problems
            .Select((p, i) => (IReadOnlyList<string>)[p.ResponseText, SlippedWorkedAnswer(p, new Random(StableSeed.Of(seed, i, SlipStream)))])
            .ToList();
        var labelled = GroundTruthPairs.Label(
            candidates, (i, text) => task.Reward(Tokenizer.Encode(text), problems[i].Answer), noiseRate, new Random(StableSeed.Of(seed, 0, NoiseStream)));
        return [.. labelled.Select(p => new PreferenceExample(
            p.Prompt, p.Prompt, task.Prompt(problems[p.Prompt]), Tokenizer.Encode(p.Chosen), Tokenizer.Encode(p.Rejected), p.Flipped))];
    }

    /// <summary>
    /// Accuracy on <see cref="EvalContext.Examples"/> problems of each of the training, shifted-wording and
    /// shifted-range distributions, and the mean of the two shifted ones. Each set's generation budget is its longest
    /// worked answer (<see cref="ArithmeticEvalSet.MaxResponseTokens"/>), not <see cref="EvalContext.MaxNewTokens"/>,
    /// so longer numbers are not cut off. The sets are drawn from seeds mixed from <see cref="EvalContext.Seed"/>, so
    /// they do not replay a training stream seeded with the same number.
    /// </summary>
    public IReadOnlyList<EvalFigure> Evaluate(EvalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(context.Examples, 1);
        double[] accuracy = [.. EvalDistributions.Select((d, k) =>
            Accuracy(context, task.EvalSet(d, context.Examples, StableSeed.Of(context.Seed, k, EvalStream))))];
        return
        [
            new("accuracy in-distribution", accuracy[0]),
            new("accuracy shifted wording", accuracy[1]),
            new("accuracy shifted range", accuracy[2]),
            new("accuracy shifted (mean)", (accuracy[1] + accuracy[2]) / 2),
        ];
    }

    private double Accuracy(EvalContext context, ArithmeticEvalSet set)
    {
        if (context.Temperature == 0) return ArithmeticEvaluation.Evaluate(context.Policy, set, Tokenizer).Accuracy;
        var responses = TaskGeneration.Responses(
            context.Policy, [.. set.Items.Select(i => i.Prompt)], set.MaxResponseTokens, context.Temperature, context.Seed, Tokenizer);
        return set.Items.Select((item, i) => task.Reward(responses[i], item.Answer)).Average();
    }

    /// <summary>
    /// The worked answer of <paramref name="problem"/> with its last step's result t off by one (down or up at random;
    /// up when t &lt; 2, so the answer never gets a leading zero): that step's low digits and the final answer follow
    /// from the slip, as when a solver errs once and carries on consistently.
    /// </summary>
    private static string SlippedWorkedAnswer(ArithmeticProblem problem, Random rng)
    {
        string text = problem.ResponseText;
        string answerMarker = $"<|{ArithmeticWorkedAnswer.AnswerToken}|>", stepMarker = $"<|{ArithmeticWorkedAnswer.StepToken}|>";
        int answerAt = text.LastIndexOf(answerMarker, StringComparison.Ordinal);
        int stepAt = text.LastIndexOf(stepMarker, answerAt, StringComparison.Ordinal);
        int lastStep = stepAt < 0 ? 0 : stepAt + stepMarker.Length;
        string step = text[lastStep..answerAt]; // "x+y+c=t;r" or "x*y+c=t;r"; r is t mod 10 before the lower digits
        int equals = step.IndexOf('=', StringComparison.Ordinal), semicolon = step.IndexOf(';', StringComparison.Ordinal);
        long t = long.Parse(step[(equals + 1)..semicolon], CultureInfo.InvariantCulture);
        string lower = step[(semicolon + 2)..];
        long slipped = t >= 2 && rng.Next(2) == 0 ? t - 1 : t + 1;
        string digits = slipped.ToString(CultureInfo.InvariantCulture);
        return string.Concat(text[..lastStep], step[..(equals + 1)], digits, ";", (slipped % 10).ToString(CultureInfo.InvariantCulture), lower)
            + answerMarker + digits + lower + "<|eos|>";
    }
}
