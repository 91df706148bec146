using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Tasks;
using ActorRL.Models.Tensors;
using ActorRL.Models.Training;

namespace ActorRL.Models.Tests.Tasks;

public class ReviewTaskTests
{
    private readonly ReviewTask task = new();

    [Fact]
    public void PromptAndResponseSpellTheReview()
    {
        var review = ReviewGrammar.Parse("our waiter seemed very rude but the dessert was excellent.")!;
        var example = task.SftExample(review);
        Assert.Equal("<|bos|><|review|>our waiter", task.Tokenizer.Decode(example.Prompt));
        Assert.Equal(" seemed very rude but the dessert was excellent.<|eos|>", task.Tokenizer.Decode(example.Response));
        Assert.Equal([257, 259, .. "our waiter"u8.ToArray().Select(b => (int)b)], example.Prompt);
        Assert.Equal(review.Text, task.ReviewText("our waiter", example.Response));
    }

    [Fact]
    public void ExamplesFitTheContextAndLabelsAreTrueSentiments()
    {
        var rng = new Random(3);
        foreach (var e in task.SftExamples(500, rng))
        {
            Assert.True(e.Prompt.Length + e.Response.Length < ReviewTask.ContextLength);
            Assert.Equal(task.Tokenizer.Eos, e.Response[^1]);
        }
        foreach (var r in task.LabelledReviews(500, rng))
        {
            Assert.Equal(ReviewGrammar.TrueSentiment(r.Text), r.Sentiment);
            Assert.Equal($"<|bos|><|review|>{r.Text}<|eos|>", task.Tokenizer.Decode(r.Ids));
        }
    }

    [Fact]
    public void DemonstrationsAreGrammaticalReviewsOfTheirPrompts()
    {
        var subjects = ReviewTask.PromptSubjects(100, new Random(4));
        var demos = ReviewTask.Demonstrations(subjects, new Random(5));
        Assert.Equal(subjects, demos.Select(d => d.Subject));
        Assert.All(demos, d => Assert.True(ReviewGrammar.IsGrammatical(d.Text)));
        Assert.Equal(demos.Select(d => d.Text), ReviewTask.Demonstrations(subjects, new Random(5)).Select(d => d.Text));
    }

    [Fact]
    public void GrammaticalityRateAndGroundTruthScoreByHand()
    {
        Assert.Equal(2.0 / 3, ReviewTask.GrammaticalityRate(["the food was good.", "great great great great", "the room is nice and the music was bad."]), 12);
        Assert.Equal(-2.0, ReviewTask.GroundTruthScore("the food was great.", -1));
        Assert.Equal(2.0, ReviewTask.GroundTruthScore("the food was great.", 1));
        Assert.Equal(-3.0, ReviewTask.GroundTruthScore("great great great great", 1));
    }

    [Fact]
    public void MeanLogLikelihoodIsTheMeanOfScoringLogProbsOverResponseTokens()
    {
        TorchRandom.ManualSeed(21);
        using var model = new CausalLM(new GptConfig(task.Tokenizer.VocabSize, ReviewTask.ContextLength, Layers: 1, Heads: 2, Width: 16));
        model.Eval();
        var rng = new Random(6);
        var examples = new[] { task.SftExample(ReviewGrammar.Parse("the food was good.")!), task.SftExamples(1, rng)[0], task.SftExamples(1, rng)[0] };
        double expected = 0;
        using (var scope = new DisposeScope())
        {
            foreach (SftExample e in examples)
            {
                long[] ids = [.. e.Prompt.Concat(e.Response).Select(i => (long)i)];
                float[] logp = Scoring.Score(model, Torch.From<long>(ids, [1, ids.Length])).LogProbs.ToArray<float>();
                expected += logp[(e.Prompt.Length - 1)..].Average(x => (double)x) / examples.Length;
            }
        }
        Assert.Equal(expected, task.MeanLogLikelihood(model, examples), 5);
        // A random model is near uniform over the vocabulary: about −ln 260 per token.
        Assert.InRange(expected, -Math.Log(260) - 1, -Math.Log(260) + 1);
    }
}
