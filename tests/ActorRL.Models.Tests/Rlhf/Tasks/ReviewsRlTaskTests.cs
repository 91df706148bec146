using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Tasks;
using ActorRL.Models.Tasks;
using ActorRL.Models.Tensors;
using ActorRL.Models.Training;

namespace ActorRL.Models.Tests.Rlhf.Tasks;

public class ReviewsRlTaskTests
{
    private readonly ReviewsRlTask task = new(seed: 11);

    private static double Sentiment(ReviewsRlTask task, PreferenceExample pair, int[] response) =>
        ReviewGrammar.Parse(task.ReviewText(pair.PromptId, response))!.Sentiment;

    [Fact]
    public void PromptsAndDemonstrationsAreFixedBySeedAndId()
    {
        var other = new ReviewsRlTask(seed: 11);
        for (int id = 0; id < 100; id++)
        {
            Assert.Equal(other.Prompt(id), task.Prompt(id));
            Assert.Equal(other.Demonstration(id), task.Demonstration(id));
            Assert.Equal($"<|bos|><|review|>{task.Subject(id)}", task.Tokenizer.Decode(task.Prompt(id)));
        }
        // 8 subjects: different ids give different subjects often, and demonstrations nearly always differ.
        Assert.Equal(ReviewGrammar.Subjects.Count, Enumerable.Range(0, 100).Select(i => task.Subject(i)).Distinct().Count());
        Assert.True(Enumerable.Range(0, 100).Select(i => task.Tokenizer.Decode(task.Demonstration(i)!)).Distinct().Count() > 60);
        Assert.Equal(PinnedSubjects, string.Join("|", Enumerable.Range(0, 4).Select(i => task.Subject(i))));
    }

    private const string PinnedSubjects = "our waiter|the room|the dessert|the room";

    [Fact]
    public void SampledEvaluationResponsesRepeatForTheSameSeedInEveryBatch()
    {
        // 150 prompts: three generation batches, each drawn with its own seed from the evaluation seed and its position.
        TorchRandom.ManualSeed(5);
        using var model = new CausalLM(new GptConfig(task.Tokenizer.VocabSize, 64, 1, 2, 16));
        IReadOnlyList<ReviewEvalItem> items = task.EvalItems(150, evalSeed: 3);
        var first = task.Respond(model, items, maxNewTokens: 6, temperature: 1.0, seed: 9);
        TorchRandom.ManualSeed(6); // libtorch's generator plays no part
        var again = task.Respond(model, items, maxNewTokens: 6, temperature: 1.0, seed: 9);
        var other = task.Respond(model, items, maxNewTokens: 6, temperature: 1.0, seed: 10);
        Assert.Equal(first, again);
        foreach (int batch in new[] { 0, 1, 2 })
        {
            var range = Enumerable.Range(batch * 64, batch == 2 ? 22 : 64).ToList();
            Assert.NotEqual(range.Select(i => first[i]), range.Select(i => other[i]));
        }
    }

    [Fact]
    public void DemonstrationsAreGrammaticalReviewsOfTheirSubjects()
    {
        string[] texts = [.. Enumerable.Range(0, 300).Select(i => task.ReviewText(i, task.Demonstration(i)))];
        Assert.Equal(1.0, ReviewTask.GrammaticalityRate(texts));
        for (int i = 0; i < 300; i++)
        {
            Assert.StartsWith(task.Subject(i) + " ", texts[i]);
            Assert.Equal(task.Tokenizer.Eos, task.Demonstration(i)![^1]);
        }
    }

    [Fact]
    public void ShapeOfTheTask()
    {
        Assert.Equal("reviews", task.Name);
        Assert.Empty(task.StepBoundaryTokens);
        Assert.Equal(2 + "the service".Length, task.MaxPromptTokens); // bos, review, the longest subject
        Assert.Null(task.VerifiedReward(0, task.Demonstration(0)!));
        foreach (var (ids, target) in task.RewardExamples(200, seed: 2))
        {
            string text = task.Tokenizer.Decode(ids, skipSpecial: true);
            Assert.Equal(ReviewGrammar.TrueSentiment(text), target);
            Assert.Equal(task.Tokenizer.Eos, ids[^1]);
        }
        Assert.Equal(30, task.SftExamples(30, seed: 2).Count);
    }

    [Fact]
    public void WithoutNoiseThePositiveReviewIsChosen()
    {
        IReadOnlyList<PreferenceExample> pairs = task.PreferencePairs(400, noiseRate: 0, seed: 4);
        Assert.Equal(400, pairs.Count);
        for (int i = 0; i < pairs.Count; i++)
        {
            var pair = pairs[i];
            Assert.False(pair.Flipped);
            Assert.Equal((long)i, pair.PromptId);
            Assert.Equal(task.Prompt(i), pair.Prompt);
            Assert.True(Sentiment(task, pair, pair.Chosen) > Sentiment(task, pair, pair.Rejected));
            Assert.Equal(task.Tokenizer.Eos, pair.Chosen[^1]);
            Assert.Equal(task.Tokenizer.Eos, pair.Rejected[^1]);
        }
    }

    [Fact]
    public void NoiseFlipsAboutItsRateOfPairs()
    {
        const int n = 3000;
        const double rho = 0.3;
        IReadOnlyList<PreferenceExample> pairs = task.PreferencePairs(n, rho, seed: 6);
        Assert.Equal(n, pairs.Count);
        double bound = 4 * Math.Sqrt(rho * (1 - rho) / n);
        Assert.InRange(pairs.Count(p => p.Flipped) / (double)n, rho - bound, rho + bound);
        Assert.All(pairs, p => Assert.Equal(p.Flipped, Sentiment(task, p, p.Chosen) < Sentiment(task, p, p.Rejected)));
    }

    [Fact]
    public void MeasuringTheDemonstrationsThemselves()
    {
        TorchRandom.ManualSeed(8);
        var config = new GptConfig(task.Tokenizer.VocabSize, ReviewTask.ContextLength, Layers: 1, Heads: 2, Width: 16);
        using var reference = new CausalLM(config);
        using var reward = new RewardModel(config);
        IReadOnlyList<ReviewEvalItem> items = task.EvalItems(24, evalSeed: 1);
        int[][] demos = [.. items.Select(i => i.Demonstration)];

        var figures = task.Measure(items, demos, reference, reward).ToDictionary(f => f.Name);

        Assert.Equal(["reward (RM)", "grammaticality", "log-likelihood under reference", "true sentiment", "distinct-2", "alignment A"], figures.Keys);
        Assert.Equal(1.0, figures["grammaticality"].Value);
        Assert.Equal(0.0, figures["alignment A"].Value); // identical samples
        Assert.False(figures["alignment A"].HigherIsBetter);
        string[] texts = [.. items.Select((item, i) => item.Subject + task.Tokenizer.Decode(demos[i], skipSpecial: true))];
        Assert.Equal(texts.Average(t => ReviewGrammar.Parse(t)!.Sentiment), figures["true sentiment"].Value, 12);

        var bigrams = new HashSet<(int, int)>();
        int total = 0;
        foreach (int[] d in demos)
        {
            for (int t = 0; t + 2 < d.Length; t++, total++) bigrams.Add((d[t], d[t + 1])); // eos (last) excluded
        }
        Assert.Equal(bigrams.Count / (double)total, figures["distinct-2"].Value, 12);

        double[] alone = [.. items.Select(item =>
        {
            using var scope = new DisposeScope();
            using var noGrad = NoGradScope.Enter();
            int[] ids = [.. item.Prompt, .. item.Demonstration];
            return (double)reward.Forward(Torch.From<long>([.. ids.Select(t => (long)t)], [1, ids.Length])).ToArray<float>()[0];
        })];
        Assert.Equal(alone.Average(), figures["reward (RM)"].Value, 5);
        double expectedLl = new ReviewTask().MeanLogLikelihood(reference, [.. items.Select(i => new SftExample(i.Prompt, i.Demonstration))]);
        Assert.Equal(expectedLl, figures["log-likelihood under reference"].Value, 9);
    }

    [Fact]
    public void EvaluationReportsEveryFigureAndOnlyThoseItsModelsAllow()
    {
        TorchRandom.ManualSeed(9);
        var config = new GptConfig(task.Tokenizer.VocabSize, ReviewTask.ContextLength, Layers: 1, Heads: 2, Width: 16);
        using var policy = new CausalLM(config);
        using var reward = new RewardModel(config);
        var full = task.Evaluate(new EvalContext(policy, policy, null, reward, Examples: 10, MaxNewTokens: 20, Temperature: 1.0, Seed: 2));
        Assert.Equal(["reward (RM)", "grammaticality", "log-likelihood under reference", "true sentiment", "distinct-2", "alignment A"], full.Select(f => f.Name));
        Assert.Equal(0.0, full.Single(f => f.Name == "grammaticality").Value); // random bytes are no review
        Assert.True(double.IsNaN(full.Single(f => f.Name == "true sentiment").Value));
        Assert.All(full.Where(f => f.Name != "true sentiment"), f => Assert.True(double.IsFinite(f.Value)));

        var bare = task.Evaluate(new EvalContext(policy, null, null, null, Examples: 10, MaxNewTokens: 20, Temperature: 0, Seed: 2));
        Assert.Equal(["grammaticality", "true sentiment", "distinct-2"], bare.Select(f => f.Name));
    }
}
