using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Text;

namespace ActorRL.Models.Rlhf.Tasks;

/// <summary>Batched generation of evaluation responses: stops at <c>eos</c>, fits the model's context.</summary>
internal static class TaskGeneration
{
    /// <summary>Prompts generated together.</summary>
    public const int BatchSize = 64;

    private const ulong SampleStream = 5;

    /// <summary>
    /// One response per prompt (the final <c>eos</c> kept; a response cut by the budget has none), at most
    /// <paramref name="maxNewTokens"/> tokens, fewer where the longest prompt leaves less room in the context.
    /// Greedy when <paramref name="temperature"/> is 0; otherwise each batch samples with a seed of its own, from
    /// <paramref name="seed"/> and the batch's position, so the same seed gives the same samples.
    /// </summary>
    public static IReadOnlyList<int[]> Responses(
        CausalLM model, IReadOnlyList<int[]> prompts, int maxNewTokens, double temperature, int seed, ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNewTokens, 1);
        if (prompts.Count == 0) return [];
        int room = model.Config.ContextLength - prompts.Max(p => p.Length);
        if (room < 1) throw new ArgumentException($"a prompt fills the model's context ({model.Config.ContextLength})", nameof(prompts));
        var options = new GenerationOptions { Temperature = temperature, MaxNewTokens = Math.Min(maxNewTokens, room), StopTokens = [tokenizer.Eos] };
        var responses = new List<int[]>(prompts.Count);
        for (int start = 0; start < prompts.Count; start += BatchSize)
        {
            var batch = prompts.Skip(start).Take(BatchSize).ToList();
            GenerationOptions batchOptions = temperature > 0 ? options with { Seed = (ulong)StableSeed.Of(seed, start, SampleStream) } : options;
            responses.AddRange(Generator.Generate(model, batch, batchOptions, tokenizer.Pad).Select(c => c.Tokens));
        }
        return responses;
    }
}
