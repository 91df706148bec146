using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tasks;
using ActorRL.Models.Text;
using ActorRL.Models.Training;
using GroundTruthPairs = ActorRL.Models.Tasks.PreferencePairs;

namespace ActorRL.Models.Rlhf.Tasks;

/// <summary>
/// The <c>reviews</c> task as the pipeline sees it (<see cref="ReviewTask"/>), RCfD's over-optimization setting: a
/// prompt names a subject, a learned reward model scores sentiment (no verifier), and the evaluation sets the reward
/// against naturalness (grammaticality, log-likelihood under the reference) and against the demonstrations' rewards
/// (alignment A).
/// </summary>
/// <remarks>
/// Prompt <c>id</c>'s subject and demonstration come from one <see cref="Random"/> seeded from (seed, id) with a
/// process-independent mix. The objective is a positive review (<see cref="TargetPolarity"/>): preference pairs prefer
/// the review with the higher true sentiment. Each prompt's two candidates are drawn until their sentiments differ,
/// so <c>count</c> pairs answer prompts 0 … count−1.
/// </remarks>
public sealed class ReviewsRlTask : IRlTask
{
    /// <summary>The preferred polarity: +1, a positive review.</summary>
    public const int TargetPolarity = 1;

    /// <summary>Histogram bins of the alignment metric A.</summary>
    public const int AlignmentBins = 20;

    private const ulong PromptStream = 1, CandidateStream = 2, NoiseStream = 3, EvalStream = 4;

    private readonly ReviewTask task = new();
    private readonly int seed;

    /// <summary>Creates the task; <paramref name="seed"/> fixes the prompt and demonstration of every id.</summary>
    public ReviewsRlTask(int seed)
    {
        this.seed = seed;
        MaxPromptTokens = ReviewGrammar.Subjects.Max(s => task.Prompt(s).Length);
    }

    /// <inheritdoc/>
    public string Name => "reviews";

    /// <inheritdoc/>
    public ITokenizer Tokenizer => task.Tokenizer;

    /// <summary>None: reviews have no reasoning steps (DRTO falls back to fixed-length spans).</summary>
    public IReadOnlySet<int> StepBoundaryTokens { get; } = new HashSet<int>();

    /// <inheritdoc/>
    public int MaxPromptTokens { get; }

    /// <summary>The subject prompt <paramref name="promptId"/> asks a review of.</summary>
    public string Subject(long promptId) => ReviewTask.PromptSubjects(1, PromptRandom(promptId))[0];

    /// <inheritdoc/>
    public int[] Prompt(long promptId) => task.Prompt(Subject(promptId));

    /// <inheritdoc/>
    public int[]? Demonstration(long promptId)
    {
        Random rng = PromptRandom(promptId);
        IReadOnlyList<string> subject = ReviewTask.PromptSubjects(1, rng);
        return task.Response(ReviewTask.Demonstrations(subject, rng)[0]);
    }

    /// <summary>Null: a learned reward model scores reviews.</summary>
    public double? VerifiedReward(long promptId, int[] response) => null;

    /// <summary>The whole review that <paramref name="response"/> makes of prompt <paramref name="promptId"/> (special tokens dropped).</summary>
    public string ReviewText(long promptId, ReadOnlySpan<int> response) => task.ReviewText(Subject(promptId), response);

    /// <inheritdoc/>
    public IReadOnlyList<SftExample> SftExamples(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return task.SftExamples(count, new Random(seed));
    }

    /// <summary>Reviews labelled with their true sentiment: the reward model learns sentiment.</summary>
    public IReadOnlyList<(int[] Ids, double Target)> RewardExamples(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return [.. task.LabelledReviews(count, new Random(seed)).Select(r => (r.Ids, r.Sentiment))];
    }

    /// <inheritdoc/>
    public IReadOnlyList<PreferenceExample> PreferencePairs(int count, double noiseRate, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rng = new Random(StableSeed.Of(seed, 0, CandidateStream));
        var candidates = new List<IReadOnlyList<string>>(count);
        for (int i = 0; i < count; i++)
        {
            string subject = Subject(i);
            ReviewSample first = ReviewGrammar.Sample(rng, subject), second;
            do second = ReviewGrammar.Sample(rng, subject); while (second.Sentiment == first.Sentiment);
            candidates.Add([first.Text, second.Text]);
        }
        var labelled = GroundTruthPairs.Label(
            candidates, (_, text) => ReviewTask.GroundTruthScore(text, TargetPolarity), noiseRate, new Random(StableSeed.Of(seed, 0, NoiseStream)));
        return [.. labelled.Select(p => new PreferenceExample(p.Prompt, p.Prompt, Prompt(p.Prompt), Response(p.Chosen), Response(p.Rejected), p.Flipped))];
    }

    /// <summary><paramref name="count"/> evaluation prompts with demonstrations, the same for the same <paramref name="evalSeed"/>.</summary>
    public IReadOnlyList<ReviewEvalItem> EvalItems(int count, int evalSeed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var rng = new Random(StableSeed.Of(evalSeed, 0, EvalStream));
        IReadOnlyList<string> subjects = ReviewTask.PromptSubjects(count, rng);
        IReadOnlyList<ReviewSample> demonstrations = ReviewTask.Demonstrations(subjects, rng);
        return [.. subjects.Select((s, i) => new ReviewEvalItem(s, task.Prompt(s), task.Response(demonstrations[i])))];
    }

    /// <summary>
    /// A response of <paramref name="model"/> to each item (stopping at eos; greedy when <paramref name="temperature"/> is
    /// 0, else sampled with <paramref name="seed"/>), at most <paramref name="maxNewTokens"/> tokens and no more than the
    /// model's context leaves, nor <paramref name="reward"/>'s when given.
    /// </summary>
    public IReadOnlyList<int[]> Respond(
        CausalLM model, IReadOnlyList<ReviewEvalItem> items, int maxNewTokens, double temperature, int seed, RewardModel? reward = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (reward is not null && items.Count > 0) maxNewTokens = Math.Min(maxNewTokens, reward.Config.ContextLength - items.Max(i => i.Prompt.Length));
        return TaskGeneration.Responses(model, [.. items.Select(i => i.Prompt)], maxNewTokens, temperature, seed, Tokenizer);
    }

    /// <summary>The whole review that <paramref name="response"/> makes of <paramref name="item"/>'s prompt.</summary>
    public string ReviewText(ReviewEvalItem item, ReadOnlySpan<int> response) =>
        task.ReviewText((item ?? throw new ArgumentNullException(nameof(item))).Subject, response);

    /// <summary>The policy's responses on <see cref="EvalContext.Examples"/> prompts, measured by <see cref="Measure"/>.</summary>
    public IReadOnlyList<EvalFigure> Evaluate(EvalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyList<ReviewEvalItem> items = EvalItems(context.Examples, context.Seed);
        return Measure(items, Respond(context.Policy, items, context.MaxNewTokens, context.Temperature, context.Seed, context.Reward), context.Reference, context.Reward);
    }

    /// <summary>
    /// The figures of <paramref name="responses"/> (one per item): "reward (RM)" (mean, with a reward model),
    /// "grammaticality", "log-likelihood under reference" (mean per response token, with a reference), "true sentiment"
    /// (mean over the grammatical reviews; NaN when none is), "distinct-2" (over the response tokens, eos excluded) and
    /// "alignment A" (<see cref="Rcfd.Alignment(ReadOnlySpan{double}, ReadOnlySpan{double}, int)"/> of the
    /// demonstrations' rewards against the responses' rewards in <see cref="AlignmentBins"/> bins; lower is better; with
    /// a reward model). The reward model reads prompt and response as generated (a response cut by the budget has no eos).
    /// </summary>
    public IReadOnlyList<EvalFigure> Measure(
        IReadOnlyList<ReviewEvalItem> items, IReadOnlyList<int[]> responses, CausalLM? reference, RewardModel? reward)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(responses);
        if (items.Count == 0 || items.Count != responses.Count) throw new ArgumentException($"need one response per item, not {responses.Count} for {items.Count}");
        string[] texts = [.. items.Select((item, i) => ReviewText(item, responses[i]))];
        var figures = new List<EvalFigure>();
        double[]? policyRewards = null;
        if (reward is not null)
        {
            policyRewards = RewardModelScoring.Score(reward, [.. items.Select((item, i) => (int[])[.. item.Prompt, .. responses[i]])], Tokenizer.Pad);
            figures.Add(new("reward (RM)", Rcfd.MeanReward(policyRewards)));
        }
        figures.Add(Grammaticality(texts));
        if (reference is not null)
        {
            figures.Add(new("log-likelihood under reference", task.MeanLogLikelihood(reference, [.. items.Select((item, i) => new SftExample(item.Prompt, responses[i]))])));
        }
        figures.Add(TrueSentiment(texts));
        figures.Add(new("distinct-2", Rcfd.DistinctN(responses.Select(r => (IReadOnlyList<int>)WithoutEos(r)), 2)));
        if (reward is not null)
        {
            double[] demoRewards = RewardModelScoring.Score(reward, [.. items.Select(item => (int[])[.. item.Prompt, .. item.Demonstration])], Tokenizer.Pad);
            figures.Add(new("alignment A", Rcfd.Alignment(demoRewards, policyRewards, AlignmentBins), HigherIsBetter: false));
        }
        return figures;
    }

    /// <summary>"grammaticality": the fraction of <paramref name="texts"/> the grammar accepts.</summary>
    internal static EvalFigure Grammaticality(IReadOnlyCollection<string> texts) => new("grammaticality", ReviewTask.GrammaticalityRate(texts));

    /// <summary>"true sentiment": the mean true sentiment of the grammatical <paramref name="texts"/>, NaN when none is.</summary>
    internal static EvalFigure TrueSentiment(IEnumerable<string> texts)
    {
        double[] sentiments = [.. texts.Where(ReviewGrammar.IsGrammatical).Select(ReviewGrammar.TrueSentiment)];
        return new("true sentiment", sentiments.Length == 0 ? double.NaN : sentiments.Average());
    }

    private int[] Response(string review) => task.Response(ReviewGrammar.Parse(review) ?? throw new InvalidOperationException($"'{review}' is not grammatical"));

    private int[] WithoutEos(int[] response) => response.Length > 0 && response[^1] == Tokenizer.Eos ? response[..^1] : response;

    private Random PromptRandom(long promptId) => new(StableSeed.Of(seed, promptId, PromptStream));
}
