using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;
using ActorRL.Models.Text;
using ActorRL.Models.Training;

namespace ActorRL.Models.Tests.Nn;

/// <summary>
/// A small GPT trained by SFT to copy a digit string: prompt "&lt;|bos|&gt;4821&lt;|sep|&gt;", response
/// "4821&lt;|eos|&gt;". Shared by the tests that need a model with confident predictions.
/// </summary>
public sealed class CopyTaskFixture : IDisposable
{
    public CopyTaskFixture()
    {
        TorchRandom.ManualSeed(1234);
        Tokenizer = new ByteTokenizer("sep");
        Model = new CausalLM(new GptConfig(Tokenizer.VocabSize, ContextLength: 32, Layers: 2, Heads: 4, Width: 64));
        var rng = new Random(99);
        var options = new SftOptions
        {
            BatchSize = 32,
            MicroBatchSize = 16,
            Schedule = new WarmupCosineSchedule(3e-3, 3e-4, 20, Steps),
            WeightDecay = 0.01,
        };
        using var trainer = new SftTrainer(Model, options, Tokenizer.Pad);
        for (int step = 0; step < Steps; step++)
        {
            var batch = Enumerable.Range(0, options.BatchSize).Select(_ => Example(RandomDigits(rng))).ToList();
            double loss = trainer.TrainStep(batch);
            if (step == 0) FirstLoss = loss;
            LastLoss = loss;
        }
        Model.Eval();
    }

    public const int Steps = 800;

    public ByteTokenizer Tokenizer { get; }

    public CausalLM Model { get; }

    public double FirstLoss { get; }

    public double LastLoss { get; }

    public static string RandomDigits(Random rng) =>
        string.Concat(Enumerable.Range(0, rng.Next(3, 7)).Select(_ => (char)('0' + rng.Next(10))));

    public int[] Prompt(string digits) => Tokenizer.Encode($"<|bos|>{digits}<|sep|>");

    public SftExample Example(string digits) => new(Prompt(digits), Tokenizer.Encode($"{digits}<|eos|>"));

    public GenerationOptions Greedy(int maxNewTokens = 8) =>
        new() { Temperature = 0, MaxNewTokens = maxNewTokens, StopTokens = [Tokenizer.Eos] };

    public void Dispose() => Model.Dispose();
}
