using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Host.Bench.Persistence;

/// <summary>
/// Checkpoint throughput against the disk's limit: a GPT with its AdamW state (after one update, so both moments
/// exist) saved with <see cref="Checkpoint.Save"/> and loaded with <see cref="Checkpoint.Load"/>, and in the same
/// rounds the same bytes written and read as plain files (<see cref="RawFiles"/>) in the same folder.
/// </summary>
public static class CheckpointBench
{
    /// <summary>
    /// Builds the model and optimizer, saves one untimed checkpoint (which also captures the bytes the raw copy writes),
    /// then times <see cref="PersistenceBenchSettings.Rounds"/> rounds of save, raw write, load and raw read under
    /// <paramref name="directory"/>, alternating which of checkpoint and raw copy goes first.
    /// </summary>
    public static CheckpointTimes Measure(string directory, PersistenceBenchSettings settings, Action<string> status)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(status);
        GptConfig config = settings.Model;
        TorchRandom.ManualSeed(0);
        using var model = new CausalLM(config);
        using var optimizer = new AdamW(model.Parameters());
        using (new DisposeScope())
        {
            // One update, so the optimizer holds both moments of every parameter, as it does in training.
            Tensor ids = Torch.Randint(0, config.VocabSize, [2, 16]);
            model.Forward(ids).Square().Mean().Backward();
            optimizer.Step();
        }
        var contents = new CheckpointContents
        {
            Model = model,
            Optimizer = optimizer,
            ModelConfig = JsonSerializer.SerializeToNode(config),
            TrainerState = new JsonObject { ["step"] = 1 },
        };

        status("checkpoint: untimed first save");
        string first = Path.Combine(directory, "step-0");
        Checkpoint.Save(first, contents);
        IReadOnlyList<(string Name, byte[] Bytes)> files = RawFiles.Capture(first);
        Directory.Delete(first, recursive: true);
        long bytes = files.Sum(f => (long)f.Bytes.Length);

        var write = new List<double>();
        var rawWrite = new List<double>();
        var read = new List<double>();
        var rawRead = new List<double>();
        for (int round = 0; round < settings.Rounds; round++)
        {
            status($"checkpoint: round {round + 1}/{settings.Rounds}");
            string checkpoint = Path.Combine(directory, $"step-{round + 1}");
            string raw = Path.Combine(directory, $"raw-{round + 1}");
            void SaveCheckpoint() => write.Add(Time(() => Checkpoint.Save(checkpoint, contents)));
            void WriteRaw() => rawWrite.Add(Time(() => RawFiles.Write(raw, files)));
            void LoadCheckpoint() => read.Add(Time(() => Checkpoint.Load(checkpoint).Dispose()));
            void ReadRaw() => rawRead.Add(Time(() => RawFiles.Read(raw)));
            if (round % 2 == 0)
            {
                SaveCheckpoint(); WriteRaw(); LoadCheckpoint(); ReadRaw();
            }
            else
            {
                WriteRaw(); SaveCheckpoint(); ReadRaw(); LoadCheckpoint();
            }
            Directory.Delete(checkpoint, recursive: true);
            Directory.Delete(raw, recursive: true);
        }
        return new CheckpointTimes(model.ParameterCount, files.Count, bytes, write, rawWrite, read, rawRead);
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
