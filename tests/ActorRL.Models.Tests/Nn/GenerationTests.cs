using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Nn;

public class GenerationTests(CopyTaskFixture copy) : IClassFixture<CopyTaskFixture>
{
    [Fact]
    public void SftOnTheCopyTaskReachesFullExactMatch()
    {
        var rng = new Random(2024); // prompts the training stream did not draw in this order
        var digits = Enumerable.Range(0, 64).Select(_ => CopyTaskFixture.RandomDigits(rng)).ToList();
        var completions = Generator.Generate(copy.Model, digits.Select(copy.Prompt).ToList(), copy.Greedy(), copy.Tokenizer.Pad);
        for (int i = 0; i < digits.Count; i++)
        {
            Assert.Equal(digits[i] + "<|eos|>", copy.Tokenizer.Decode(completions[i].Tokens));
            Assert.Equal(FinishReason.Stop, completions[i].FinishReason);
        }
        Assert.True(copy.LastLoss < 0.05 * copy.FirstLoss, $"loss {copy.FirstLoss} -> {copy.LastLoss}");
    }

    [Fact]
    public void GreedyWithKvCacheEqualsGreedyWithoutTokenForToken()
    {
        var rng = new Random(5);
        // Prompts of different lengths in one batch; MaxNewTokens past the eos exercises finished rows too.
        var prompts = Enumerable.Range(0, 12).Select(_ => copy.Prompt(CopyTaskFixture.RandomDigits(rng))).ToList();
        var cached = Generator.Generate(copy.Model, prompts, copy.Greedy(12), copy.Tokenizer.Pad);
        var uncached = Generator.Generate(copy.Model, prompts, copy.Greedy(12) with { UseKvCache = false }, copy.Tokenizer.Pad);
        for (int i = 0; i < prompts.Count; i++)
        {
            Assert.Equal(uncached[i].Tokens, cached[i].Tokens);
            Assert.Equal(uncached[i].FinishReason, cached[i].FinishReason);
            for (int t = 0; t < cached[i].LogProbs.Length; t++) Assert.Equal(uncached[i].LogProbs[t], cached[i].LogProbs[t], 1e-4);
        }
    }

    [Fact]
    public void KvCacheLogitsMatchAFullForwardOnARandomModel()
    {
        TorchRandom.ManualSeed(3);
        using var model = new CausalLM(new GptConfig(50, 16, Layers: 2, Heads: 2, Width: 32));
        model.Eval();
        using var scope = new DisposeScope();
        using var noGrad = NoGradScope.Enter();
        var ids = Torch.Randint(0, 50, [3, 10]);
        var full = model.Forward(ids);
        using var cache = new KvCache(model.Config, 3, 10, Device.Cpu);
        var parts = new List<Tensor> { model.Forward(ids.Narrow(1, 0, 4), cache: cache) };
        for (int t = 4; t < 10; t++) parts.Add(model.Forward(ids.Narrow(1, t, 1), cache: cache));
        var stepwise = Torch.Cat([.. parts], 1);
        Assert.Equal(10, cache.Length);
        Assert.True((full - stepwise).Abs().Max().ToDouble() < 1e-5);
    }

    [Fact]
    public void APromptGeneratesTheSameAloneAsInAPaddedBatch()
    {
        int[] shortPrompt = copy.Prompt("12");
        var alone = Generator.Generate(copy.Model, [shortPrompt], copy.Greedy(), copy.Tokenizer.Pad)[0];
        var batched = Generator.Generate(copy.Model, [copy.Prompt("987654"), shortPrompt, copy.Prompt("5555")], copy.Greedy(), copy.Tokenizer.Pad)[1];
        Assert.Equal(alone.Tokens, batched.Tokens);
        for (int t = 0; t < alone.LogProbs.Length; t++) Assert.Equal(alone.LogProbs[t], batched.LogProbs[t], 1e-4);
    }

    [Fact]
    public void SamplingIsReproducibleBySeed()
    {
        var prompts = new List<int[]> { copy.Prompt("31"), copy.Prompt("4159") };
        var options = new GenerationOptions { Temperature = 3.0, MaxNewTokens = 10, Seed = 77 }; // hot: many choices
        var a = Generator.Generate(copy.Model, prompts, options, copy.Tokenizer.Pad);
        var b = Generator.Generate(copy.Model, prompts, options, copy.Tokenizer.Pad);
        var c = Generator.Generate(copy.Model, prompts, options with { Seed = 78 }, copy.Tokenizer.Pad);
        Assert.Equal(a.Select(x => x.Tokens), b.Select(x => x.Tokens));
        Assert.Equal(a.Select(x => x.LogProbs), b.Select(x => x.LogProbs));
        Assert.NotEqual(a.SelectMany(x => x.Tokens), c.SelectMany(x => x.Tokens));
    }

    [Fact]
    public void ReturnedLogProbsAreThoseTheScorerComputes()
    {
        int[] prompt = copy.Prompt("2718");
        var completion = Generator.Generate(copy.Model, [prompt], new GenerationOptions { Temperature = 1.5, MaxNewTokens = 6, Seed = 1 }, copy.Tokenizer.Pad)[0];
        using var scope = new DisposeScope();
        using var noGrad = NoGradScope.Enter();
        long[] sequence = [.. prompt.Select(t => (long)t), .. completion.Tokens.Select(t => (long)t)];
        var scores = Scoring.Score(copy.Model, Torch.From<long>(sequence, [1, sequence.Length]));
        float[] all = scores.LogProbs.ToArray<float>();
        for (int t = 0; t < completion.Tokens.Length; t++) Assert.Equal(all[prompt.Length - 1 + t], completion.LogProbs[t], 1e-4);
    }

    [Fact]
    public void LengthLimitTopKAndTopP()
    {
        var prompts = new List<int[]> { copy.Prompt("123456") };
        var cut = Generator.Generate(copy.Model, prompts, copy.Greedy(3), copy.Tokenizer.Pad)[0];
        Assert.Equal(FinishReason.Length, cut.FinishReason);
        Assert.Equal("123", copy.Tokenizer.Decode(cut.Tokens));

        var greedy = Generator.Generate(copy.Model, prompts, copy.Greedy(), copy.Tokenizer.Pad)[0];
        var topK1 = Generator.Generate(copy.Model, prompts, copy.Greedy() with { Temperature = 5, TopK = 1, Seed = 4 }, copy.Tokenizer.Pad)[0];
        var topPTiny = Generator.Generate(copy.Model, prompts, copy.Greedy() with { Temperature = 5, TopP = 1e-6, Seed = 4 }, copy.Tokenizer.Pad)[0];
        Assert.Equal(greedy.Tokens, topK1.Tokens);
        Assert.Equal(greedy.Tokens, topPTiny.Tokens);
    }

    [Fact]
    public void TopKAndTopPKeepExactlyTheAllowedTokens()
    {
        // probabilities 0.5, 0.3, 0.15, 0.05: top-p 0.7 keeps the first two (0.5 < 0.7 ≤ 0.8), top-k 3 the first three.
        using var scope = new DisposeScope();
        var logits = Torch.From<float>([MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.15f), MathF.Log(0.05f)], [1, 4]).Expand(4000, 4).Contiguous();
        long[] p = Generator.Sample(logits, new GenerationOptions { TopP = 0.7 }, new SamplingStream(8)).ToArray<long>();
        long[] k = Generator.Sample(logits, new GenerationOptions { TopK = 3 }, new SamplingStream(9)).ToArray<long>();
        Assert.Equal([0L, 1L], p.Distinct().Order());
        Assert.Equal([0L, 1L, 2L], k.Distinct().Order());
        // renormalized: P(0 | top-p) = 0.5 / 0.8 = 0.625; 4000 draws, sd 31
        Assert.InRange(p.Count(x => x == 0), 2500 - 155, 2500 + 155);
    }

    [Fact]
    public void EachRowTakesTheFirstTokenWhoseCumulativeProbabilityExceedsItsDraw()
    {
        // Expected tokens computed here in plain doubles: softmax of the row at temperature 2, then the inverse transform
        // with the same draws (a stream from the same seed gives the same sequence).
        using var scope = new DisposeScope();
        TorchRandom.ManualSeed(21);
        Tensor logits = Torch.Randn([256, 40]) * 3;
        long[] sampled = Generator.Sample(logits, new GenerationOptions { Temperature = 2 }, new SamplingStream(1234)).ToArray<long>();

        float[] values = logits.ToArray<float>();
        var draws = new SamplingStream(1234);
        for (int b = 0; b < 256; b++)
        {
            double[] scaled = [.. values.Skip(b * 40).Take(40).Select(v => v / 2.0)];
            double max = scaled.Max();
            double[] weights = [.. scaled.Select(v => Math.Exp(v - max))];
            double target = draws.NextDouble() * weights.Sum();
            int expected = 0;
            for (double cumulative = weights[0]; cumulative <= target && expected < 39; cumulative += weights[++expected])
            {
            }
            Assert.Equal(expected, sampled[b]);
        }
        // Draws cover the vocabulary: 256 rows of a 40-token spread reach many tokens, not a few.
        Assert.True(sampled.Distinct().Count() > 20, $"{sampled.Distinct().Count()} distinct tokens");
    }

    [Fact]
    public async Task ASeedGivesTheSameSamplesWhateverLibtorchsGeneratorDidAndLeavesItAlone()
    {
        var prompts = new List<int[]> { copy.Prompt("31"), copy.Prompt("4159"), copy.Prompt("270") };
        var options = new GenerationOptions { Temperature = 3.0, MaxNewTokens = 10, Seed = 77 };
        TorchRandom.ManualSeed(1);
        byte[] before = TorchRandom.GetState();
        var a = Generator.Generate(copy.Model, prompts, options, copy.Tokenizer.Pad);
        Assert.Equal(before, TorchRandom.GetState());

        TorchRandom.ManualSeed(999);
        using (Torch.Randn([1000])) { }
        var b = Generator.Generate(copy.Model, prompts, options, copy.Tokenizer.Pad);
        Assert.Equal(a.Select(x => x.Tokens), b.Select(x => x.Tokens));

        // Two generations at once on two threads, each on its own model copy, give what each gives alone.
        using var twin = new CausalLM(copy.Model.Config);
        twin.LoadParameters(copy.Model.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor));
        var other = options with { Seed = 78 };
        var alone = Generator.Generate(twin, prompts, other, copy.Tokenizer.Pad);
        var together = await Task.WhenAll(
            Task.Run(() => Generator.Generate(copy.Model, prompts, options, copy.Tokenizer.Pad)),
            Task.Run(() => Generator.Generate(twin, prompts, other, copy.Tokenizer.Pad)));
        Assert.Equal(a.Select(x => x.Tokens), together[0].Select(x => x.Tokens));
        Assert.Equal(alone.Select(x => x.Tokens), together[1].Select(x => x.Tokens));
    }

    [Fact]
    public void BadOptionsAreRefusedByName()
    {
        var prompts = new List<int[]> { copy.Prompt("1") };
        Assert.Contains("MaxNewTokens", Assert.Throws<ArgumentException>(() => Generator.Generate(copy.Model, prompts, new GenerationOptions { MaxNewTokens = 0 }, 0)).Message);
        Assert.Contains("TopP", Assert.Throws<ArgumentException>(() => Generator.Generate(copy.Model, prompts, new GenerationOptions { TopP = 0 }, 0)).Message);
        Assert.Contains("context length", Assert.Throws<ArgumentException>(() => Generator.Generate(copy.Model, prompts, new GenerationOptions { MaxNewTokens = 40 }, 0)).Message);
    }
}
