using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Rlhf;

public class RolloutEngineTests
{
    private static readonly RolloutPrompt[] Prompts = [new(10, 0, [1, 40, 41]), new(11, 1, [1, 50]), new(12, 0, [1, 40, 41, 42, 43])];

    /// <summary>log p(ids[t + 1]) and the value at t for the response positions of one unpadded sequence.</summary>
    internal static (float[] LogProbs, float[] Values) ByHand(CausalLM model, int[] prompt, int[] response)
    {
        using var scope = new DisposeScope();
        using var noGrad = NoGradScope.Enter();
        long[] sequence = [.. prompt.Concat(response).Select(t => (long)t)];
        var ids = Torch.From<long>(sequence, [1, sequence.Length]);
        float[] logp = Scoring.Score(model, ids).LogProbs.ToArray<float>();
        float[] values = model.ValueHead is null ? [] : model.ForwardWithValues(ids).Values.ToArray<float>();
        return (logp.AsSpan(prompt.Length - 1, response.Length).ToArray(),
            values.Length == 0 ? [] : values.AsSpan(prompt.Length - 1, response.Length).ToArray());
    }

    [Fact]
    public void LogProbsAndValuesEqualScoringEachSequenceAlone()
    {
        TorchRandom.ManualSeed(11);
        using var engine = new RolloutEngine(new CausalLM(FakeRlTask.TinyConfig, withValueHead: true), padId: 0, stopTokens: [3]);
        var rollouts = engine.Generate(Prompts, new GenerationOptions { MaxNewTokens = 6, Temperature = 1.0, Seed = 5 });
        Assert.Equal(Prompts.Select(p => p.SampleId), rollouts.Select(r => r.SampleId));
        foreach (Rollout r in rollouts)
        {
            Assert.InRange(r.Response.Length, 1, 6);
            Assert.Equal(r.Response.Length, r.LogProbs.Length);
            Assert.Equal(r.Response.Length, r.Values.Length);
            Assert.Equal(r.Response[^1] == 3 ? FinishReason.Stop : FinishReason.Length, r.Finish);
            var (logp, values) = ByHand(engine.Policy, r.Prompt, r.Response);
            Assert.Equal(logp, r.LogProbs, (a, b) => Math.Abs(a - b) < 1e-5);
            Assert.Equal(values, r.Values, (a, b) => Math.Abs(a - b) < 1e-5);
        }
    }

    [Fact]
    public void GreedyGenerationIsReproducibleAndCarriesTheAppliedVersion()
    {
        TorchRandom.ManualSeed(12);
        using var source = new CausalLM(FakeRlTask.TinyConfig);
        using var engine = new RolloutEngine(new CausalLM(FakeRlTask.TinyConfig), padId: 0, stopTokens: []);
        Assert.Equal(0, engine.Version);
        engine.Apply(WeightsSnapshot.Capture(source, 4));
        Assert.Equal(4, engine.Version);
        var greedy = new GenerationOptions { MaxNewTokens = 5, Temperature = 0 };
        var first = engine.Generate(Prompts, greedy);
        var second = engine.Generate(Prompts, greedy);
        for (int i = 0; i < Prompts.Length; i++)
        {
            Assert.Equal(first[i].Response, second[i].Response);
            Assert.Equal(5, first[i].Response.Length);
            Assert.Empty(first[i].Values);
            Assert.Equal(4, first[i].PolicyVersion);
        }
        // The greedy continuation of the source model itself, token by token.
        var expected = Generator.Generate(source, [.. Prompts.Select(p => p.Tokens)], greedy with { UseKvCache = false }, 0);
        Assert.Equal(expected.Select(c => c.Tokens), first.Select(r => r.Response));
    }
}
