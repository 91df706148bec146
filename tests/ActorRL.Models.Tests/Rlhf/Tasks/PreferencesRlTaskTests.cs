using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Tasks;
using ActorRL.Models.Tasks;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Rlhf.Tasks;

public class PreferencesRlTaskTests
{
    private readonly PreferencesRlTask task = new(seed: 13);

    [Fact]
    public void PromptsDataAndPairsAreTheReviewTasks()
    {
        var reviews = new ReviewsRlTask(seed: 13);
        Assert.Equal("preferences", task.Name);
        for (int id = 0; id < 20; id++)
        {
            Assert.Equal(reviews.Prompt(id), task.Prompt(id));
            Assert.Equal(reviews.Demonstration(id), task.Demonstration(id));
        }
        Assert.Null(task.VerifiedReward(0, [1]));
        Assert.Equal(reviews.MaxPromptTokens, task.MaxPromptTokens);
        var pairs = task.PreferencePairs(50, 0.2, seed: 3);
        var expected = reviews.PreferencePairs(50, 0.2, seed: 3);
        Assert.Equal(expected.Select(p => (p.Chosen, p.Rejected, p.Flipped)), pairs.Select(p => (p.Chosen, p.Rejected, p.Flipped)));
    }

    [Fact]
    public void HalfTheLabelsFlipAtRateOneHalf()
    {
        const int n = 3000;
        var reviews = new ReviewsRlTask(seed: 13);
        var pairs = task.PreferencePairs(n, 0.5, seed: 8);
        double bound = 4 * Math.Sqrt(0.25 / n);
        Assert.InRange(pairs.Count(p => p.Flipped) / (double)n, 0.5 - bound, 0.5 + bound);
        Assert.All(pairs, p => Assert.Equal(
            p.Flipped,
            ReviewGrammar.Parse(reviews.ReviewText(p.PromptId, p.Chosen))!.Sentiment < ReviewGrammar.Parse(reviews.ReviewText(p.PromptId, p.Rejected))!.Sentiment));
        Assert.DoesNotContain(task.PreferencePairs(200, 0, seed: 8), p => p.Flipped);
    }

    [Fact]
    public void AModelAgainstItselfUnderGreedyDecodingWinsExactlyHalf()
    {
        TorchRandom.ManualSeed(21);
        using var policy = new CausalLM(new GptConfig(task.Tokenizer.VocabSize, ReviewTask.ContextLength, Layers: 1, Heads: 2, Width: 16));
        var figures = task.Evaluate(new EvalContext(policy, null, policy, null, Examples: 12, MaxNewTokens: 24, Temperature: 0, Seed: 4));
        Assert.Equal(["win rate vs SFT (ground truth)", "true sentiment", "grammaticality"], figures.Select(f => f.Name));
        Assert.Equal(0.5, figures[0].Value);

        var withoutBaseline = task.Evaluate(new EvalContext(policy, null, null, null, Examples: 12, MaxNewTokens: 24, Temperature: 0, Seed: 4));
        Assert.Equal(["true sentiment", "grammaticality"], withoutBaseline.Select(f => f.Name));
    }
}
