using ActorRL.Models.Tasks;
using ActorRL.Models.Text;
using ActorRL.Models.Training;
using GroundTruthPairs = ActorRL.Models.Tasks.PreferencePairs;

namespace ActorRL.Models.Rlhf.Tasks;

/// <summary>
/// The <c>preferences</c> task, ROPO's noisy-preference setting: the prompts, demonstrations, reward-model data and
/// preference pairs of <see cref="ReviewsRlTask"/> (pairs labelled by true sentiment, each label flipped with the noise
/// rate and the flip recorded), evaluated by the ground-truth win rate against the SFT model.
/// </summary>
public sealed class PreferencesRlTask : IRlTask
{
    private readonly ReviewsRlTask reviews;

    /// <summary>Creates the task; <paramref name="seed"/> fixes the prompt and demonstration of every id.</summary>
    public PreferencesRlTask(int seed) => reviews = new ReviewsRlTask(seed);

    /// <inheritdoc/>
    public string Name => "preferences";

    /// <inheritdoc/>
    public ITokenizer Tokenizer => reviews.Tokenizer;

    /// <inheritdoc/>
    public IReadOnlySet<int> StepBoundaryTokens => reviews.StepBoundaryTokens;

    /// <inheritdoc/>
    public int MaxPromptTokens => reviews.MaxPromptTokens;

    /// <inheritdoc/>
    public int[] Prompt(long promptId) => reviews.Prompt(promptId);

    /// <inheritdoc/>
    public int[]? Demonstration(long promptId) => reviews.Demonstration(promptId);

    /// <summary>Null: a learned reward model scores reviews.</summary>
    public double? VerifiedReward(long promptId, int[] response) => reviews.VerifiedReward(promptId, response);

    /// <inheritdoc/>
    public IReadOnlyList<SftExample> SftExamples(int count, int seed) => reviews.SftExamples(count, seed);

    /// <inheritdoc/>
    public IReadOnlyList<(int[] Ids, double Target)> RewardExamples(int count, int seed) => reviews.RewardExamples(count, seed);

    /// <inheritdoc/>
    public IReadOnlyList<PreferenceExample> PreferencePairs(int count, double noiseRate, int seed) => reviews.PreferencePairs(count, noiseRate, seed);

    /// <summary>
    /// "win rate vs SFT (ground truth)" (<see cref="GroundTruthPairs.WinRate"/> of the policy's against the baseline's
    /// responses on the same prompts, scored by <see cref="ReviewTask.GroundTruthScore"/> toward a positive review; with
    /// a baseline), then the policy's "true sentiment" and "grammaticality". Both models generate with the same options
    /// and seed, so a model against itself under greedy decoding wins exactly half.
    /// </summary>
    public IReadOnlyList<EvalFigure> Evaluate(EvalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyList<ReviewEvalItem> items = reviews.EvalItems(context.Examples, context.Seed);
        string[] policy = Texts(items, context.Policy, context);
        var figures = new List<EvalFigure>();
        if (context.Baseline is not null)
        {
            string[] baseline = Texts(items, context.Baseline, context);
            figures.Add(new("win rate vs SFT (ground truth)",
                GroundTruthPairs.WinRate(policy, baseline, (_, text) => ReviewTask.GroundTruthScore(text, ReviewsRlTask.TargetPolarity))));
        }
        figures.Add(ReviewsRlTask.TrueSentiment(policy));
        figures.Add(ReviewsRlTask.Grammaticality(policy));
        return figures;
    }

    private string[] Texts(IReadOnlyList<ReviewEvalItem> items, Nn.CausalLM model, EvalContext context)
    {
        IReadOnlyList<int[]> responses = reviews.Respond(model, items, context.MaxNewTokens, context.Temperature, context.Seed);
        return [.. items.Select((item, i) => reviews.ReviewText(item, responses[i]))];
    }
}
