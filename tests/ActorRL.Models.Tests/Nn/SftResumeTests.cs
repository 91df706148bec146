using System.Text.Json.Nodes;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;
using ActorRL.Models.Tests.Checkpoints;
using ActorRL.Models.Training;

namespace ActorRL.Models.Tests.Nn;

/// <summary>An SFT run of the GPT (with dropout, so the generator matters) interrupted by a checkpoint and resumed.</summary>
public class SftResumeTests
{
    private static readonly GptConfig Config = new(VocabSize: 40, ContextLength: 16, Layers: 2, Heads: 2, Width: 16, Dropout: 0.1);
    private static readonly SftOptions Options = new() { BatchSize = 4, MicroBatchSize = 2, Schedule = new(1e-2, 1e-3, 2, 10) };

    private static List<SftExample> Batch(long step) =>
        [.. Enumerable.Range(0, 4).Select(i => new SftExample([1, 2 + (int)((step + i) % 7)], [.. Enumerable.Range(10, 2 + i).Select(t => t + (int)step % 5)]))];

    [Fact]
    public void ResumedSftReproducesTheUninterruptedLossesBitForBit()
    {
        using var root = new TemporaryDirectory();
        string dir = root.Combine("step-3");
        TorchRandom.ManualSeed(42);
        var expected = new List<double>();
        using (var model = new CausalLM(Config))
        using (var trainer = new SftTrainer(model, Options, padId: 0))
        {
            for (long s = 0; s < 3; s++) trainer.TrainStep(Batch(s));
            Checkpoint.Save(dir, new CheckpointContents
            {
                Model = model,
                Optimizer = trainer.Optimizer,
                TrainerState = new JsonObject { ["step"] = trainer.Step },
            });
            for (long s = 3; s < 7; s++) expected.Add(trainer.TrainStep(Batch(s)));
        }

        TorchRandom.ManualSeed(7); // a restarted process: other initial weights, another generator state
        using var resumedModel = new CausalLM(Config);
        using var resumed = new SftTrainer(resumedModel, Options, padId: 0);
        using (var loaded = Checkpoint.Load(dir))
        {
            loaded.RestoreModel(resumedModel);
            loaded.RestoreOptimizer(resumed.Optimizer, resumedModel);
            loaded.RestoreRng();
            resumed.Step = loaded.TrainerState!["step"]!.GetValue<long>();
        }
        var actual = new List<double>();
        for (long s = resumed.Step; s < 7; s++) actual.Add(resumed.TrainStep(Batch(s)));

        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
    }
}
