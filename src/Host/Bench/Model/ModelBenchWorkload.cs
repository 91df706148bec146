using ActorRL.Models.Nn;
using ActorRL.Models.Training;

namespace ActorRL.Host.Bench.Model;

/// <summary>
/// What <c>actorrl bench model</c> runs in both languages: the model's size, one SFT batch (prompt and
/// response of fixed random tokens, every row the same length, so no padding) and the generation
/// prompts. The token ids come from a seeded generator, so every run measures the same work.
/// </summary>
/// <param name="Config">The model: about 10M parameters, nanoGPT's layout.</param>
/// <param name="Seed">Seeds the weights (libtorch's generator) and the token ids.</param>
/// <param name="Train">The SFT batch: <see cref="TrainPromptTokens"/> prompt tokens then the response.</param>
/// <param name="TrainPromptTokens">Prompt length of every training example.</param>
/// <param name="Prompts">The generation prompts, all of the same length.</param>
/// <param name="NewTokens">Tokens generated per prompt (there are no stop tokens, so exactly this many).</param>
/// <param name="Sft">The trainer's settings (ActorRL's defaults, with the batch above as one micro-batch).</param>
public sealed record ModelBenchWorkload(
    GptConfig Config,
    int Seed,
    IReadOnlyList<SftExample> Train,
    int TrainPromptTokens,
    IReadOnlyList<int[]> Prompts,
    int NewTokens,
    SftOptions Sft)
{
    /// <summary>The id the trainer and generator would pad with; the workload never needs padding.</summary>
    public const int PadId = 0;

    /// <summary>
    /// The default workload: a 6-layer, 6-head, 384-wide GPT over a byte vocabulary (259 ids) with 256
    /// positions; SFT on 16 examples of 64 prompt + 64 response tokens; 128 new tokens for 16 prompts
    /// of 64 tokens.
    /// </summary>
    public static ModelBenchWorkload Create(int seed = 0)
    {
        var config = new GptConfig(VocabSize: 259, ContextLength: 256, Layers: 6, Heads: 6, Width: 384);
        const int batch = 16, promptTokens = 64, responseTokens = 64, prompts = 16, promptLength = 64;
        var random = new Random(seed);
        int[] Tokens(int n)
        {
            var tokens = new int[n];
            for (int i = 0; i < n; i++) tokens[i] = random.Next(config.VocabSize);
            return tokens;
        }
        SftExample[] train = [.. Enumerable.Range(0, batch).Select(_ => new SftExample(Tokens(promptTokens), Tokens(responseTokens)))];
        int[][] generate = [.. Enumerable.Range(0, prompts).Select(_ => Tokens(promptLength))];
        var sft = new SftOptions { BatchSize = batch, MicroBatchSize = batch };
        return new ModelBenchWorkload(config, seed, train, promptTokens, generate, 128, sft);
    }
}
