using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Checkpoints;

public class CheckpointTests
{
    private const int Inputs = 4;
    private const int Hidden = 16;

    /// <summary>The training run a checkpoint interrupts: fixed data, a model, AdamW over two groups.</summary>
    private sealed class Run : IDisposable
    {
        public Run(Device device, ulong seed, bool reverseSecondGroup = false, double beta2 = 0.99)
        {
            Device = device;
            TorchRandom.ManualSeed(100); // the same data in every run
            X = Torch.Randn([32, Inputs], device: device);
            using Tensor w = Torch.Randn([Inputs, 1], device: device);
            Y = X.MatMul(w);
            TorchRandom.ManualSeed(seed);
            Model = new TinyRegressor(Inputs, Hidden, device);
            Tensor[] second = [Model.Out.Weight, Model.Out.Bias];
            if (reverseSecondGroup) Array.Reverse(second);
            Optimizer = new AdamW(
            [
                new ParamGroup([Model.Hidden.Weight, Model.Hidden.Bias], LearningRate: 1e-2, WeightDecay: 0.01),
                new ParamGroup(second, LearningRate: 5e-3, Beta2: beta2, WeightDecay: 0),
            ]);
        }

        public Device Device { get; }
        public Tensor X { get; }
        public Tensor Y { get; }
        public TinyRegressor Model { get; }
        public AdamW Optimizer { get; }

        /// <summary>One update on noisy inputs through dropout: both draw from the default generator.</summary>
        public int Step()
        {
            using var scope = new DisposeScope();
            Tensor noise = Torch.Randn([32, Inputs], device: Device).Mul(0.1);
            Tensor loss = Model.Forward(X.Add(noise)).Sub(Y).Square().Mean();
            Optimizer.ZeroGrad();
            loss.Backward();
            Optimizer.Step();
            return BitConverter.SingleToInt32Bits(loss.ToSingle());
        }

        public int[] Steps(int n) => [.. Enumerable.Range(0, n).Select(_ => Step())];

        public CheckpointContents Contents(long step) => new()
        {
            Model = Model,
            Optimizer = Optimizer,
            ModelConfig = new JsonObject { ["inputs"] = Inputs, ["hidden"] = Hidden, ["dropout"] = 0.25 },
            TrainerState = new JsonObject { ["step"] = step, ["data_cursor"] = new JsonObject { ["epoch"] = 1, ["offset"] = 96 } },
        };

        public void Dispose()
        {
            Optimizer.Dispose();
            Model.Dispose();
            X.Dispose();
            Y.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void ResumingFromACheckpointContinuesTrainingBitForBit(string device)
    {
        var dev = Device.Parse(device);
        using var root = new TemporaryDirectory();
        string dir = root.Combine("step-3");
        int[] expected;
        Dictionary<string, byte[]> savedWeights, finalWeights;
        Dictionary<string, (long Step, byte[] ExpAvg, byte[] ExpAvgSq)> savedMoments;
        using (var original = new Run(dev, seed: 1))
        {
            original.Steps(3);
            original.Optimizer.SetLearningRate(0, 7.5e-3); // as a scheduler would
            Checkpoint.Save(dir, original.Contents(step: 3));
            savedWeights = WeightBytes(original.Model);
            savedMoments = MomentBytes(original);
            expected = original.Steps(5);
            finalWeights = WeightBytes(original.Model);
        }

        // A new process: other initial weights, a fresh optimizer whose second group lists its
        // parameters in another order, and a generator that has moved on.
        using var resumed = new Run(dev, seed: 2, reverseSecondGroup: true);
        using (var loaded = Checkpoint.Load(dir))
        {
            loaded.RestoreModel(resumed.Model);
            loaded.RestoreOptimizer(resumed.Optimizer, resumed.Model);
            loaded.RestoreRng();
            Assert.Equal(3, loaded.TrainerState!["step"]!.GetValue<long>());
            Assert.True(JsonNode.DeepEquals(new JsonObject { ["epoch"] = 1, ["offset"] = 96 }, loaded.TrainerState["data_cursor"]));
            Assert.Equal(16, loaded.ModelConfig!["hidden"]!.GetValue<int>());
        }

        AssertSameBytes(savedWeights, WeightBytes(resumed.Model), "weights right after the restore");
        Assert.Equal(7.5e-3, resumed.Optimizer.Groups[0].LearningRate);
        Assert.Equal(5e-3, resumed.Optimizer.Groups[1].LearningRate);
        var restoredMoments = MomentBytes(resumed);
        foreach (var (name, saved) in savedMoments)
        {
            var restored = restoredMoments[name];
            Assert.Equal(3, restored.Step);
            Assert.Equal(saved.Step, restored.Step);
            Assert.True(saved.ExpAvg.AsSpan().SequenceEqual(restored.ExpAvg), $"exp_avg of {name}");
            Assert.True(saved.ExpAvgSq.AsSpan().SequenceEqual(restored.ExpAvgSq), $"exp_avg_sq of {name}");
        }
        int[] actual = resumed.Steps(5);
        Assert.Equal(expected, actual);
        AssertSameBytes(finalWeights, WeightBytes(resumed.Model), "weights after five more steps");
    }

    [Fact]
    public void WithoutTheGeneratorStateTheResumedRunDiverges()
    {
        // The control for the test above: the steps really consume random numbers, so restoring
        // the generator is what makes the losses agree.
        using var root = new TemporaryDirectory();
        string dir = root.Combine("step-3");
        int[] expected;
        using (var original = new Run(Device.Cpu, seed: 1))
        {
            original.Steps(3);
            Checkpoint.Save(dir, original.Contents(step: 3));
            expected = original.Steps(5);
        }
        using var resumed = new Run(Device.Cpu, seed: 2);
        using (var loaded = Checkpoint.Load(dir))
        {
            loaded.RestoreModel(resumed.Model);
            loaded.RestoreOptimizer(resumed.Optimizer, resumed.Model);
        }

        Assert.NotEqual(expected[0], resumed.Step());
    }

    [Fact]
    public void TheManifestRecordsTheSizeAndSha256OfEveryOtherFile()
    {
        using var root = new TemporaryDirectory();
        string dir = root.Combine("step-1");
        using var run = new Run(Device.Cpu, seed: 3);
        run.Steps(1);

        CheckpointManifest returned = Checkpoint.Save(dir, run.Contents(step: 1));

        var onDisk = Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["config.json", "manifest.json", "model.safetensors", "optimizer.json", "optimizer.safetensors", "rng.safetensors", "trainer.json"], onDisk);
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!;
        Assert.Equal("actorrl-checkpoint", manifest["format"]!.GetValue<string>());
        Assert.Equal(1, manifest["format_version"]!.GetValue<int>());
        var created = DateTimeOffset.Parse(manifest["created_utc"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - created, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        var listed = manifest["files"]!.AsArray().ToDictionary(f => f!["name"]!.GetValue<string>());
        Assert.Equal(onDisk.Where(n => n != "manifest.json"), listed.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, entry) in listed)
        {
            byte[] contents = File.ReadAllBytes(Path.Combine(dir, name));
            Assert.Equal(contents.LongLength, entry!["bytes"]!.GetValue<long>());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(contents)), entry["sha256"]!.GetValue<string>());
        }
        Assert.Equal(listed.Keys.Order(StringComparer.Ordinal), returned.Files.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal(7, Checkpoint.Verify(dir).Files.Count + 1);
    }

    [Fact]
    public void ATruncatedWeightsFileIsRefusedNamingIt()
    {
        using var root = new TemporaryDirectory();
        string dir = SaveSmall(root, "step-1");
        string path = Path.Combine(dir, "model.safetensors");
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(stream.Length - 3);

        var e = Assert.Throws<CheckpointCorruptException>(() => Checkpoint.Load(dir));

        Assert.Equal("model.safetensors", e.FileName);
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Equal(dir, e.Directory);
    }

    [Fact]
    public void OneFlippedBitInTheOptimizerStateIsRefusedNamingTheFile()
    {
        using var root = new TemporaryDirectory();
        string dir = SaveSmall(root, "step-1");
        string path = Path.Combine(dir, "optimizer.safetensors");
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x10; // a bit of the last moment's data: the file still parses
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<CheckpointCorruptException>(() => Checkpoint.Load(dir));

        Assert.Equal("optimizer.safetensors", e.FileName);
        Assert.Contains("optimizer.safetensors", e.Message);
        Assert.Contains("SHA-256", e.Message);
    }

    [Fact]
    public void ACheckpointWithoutItsManifestIsRefused()
    {
        using var root = new TemporaryDirectory();
        string dir = SaveSmall(root, "step-1");
        File.Delete(Path.Combine(dir, "manifest.json"));

        var e = Assert.Throws<CheckpointCorruptException>(() => Checkpoint.Load(dir));

        Assert.Equal("manifest.json", e.FileName);
        Assert.Contains("manifest.json", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void AFileListedInTheManifestButMissingIsRefused()
    {
        using var root = new TemporaryDirectory();
        string dir = SaveSmall(root, "step-1");
        File.Delete(Path.Combine(dir, "rng.safetensors"));

        var e = Assert.Throws<CheckpointCorruptException>(() => Checkpoint.Verify(dir));

        Assert.Equal("rng.safetensors", e.FileName);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void AnAlteredManifestIsRefused()
    {
        using var root = new TemporaryDirectory();
        string dir = SaveSmall(root, "step-1");
        string path = Path.Combine(dir, "manifest.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"files\"", "\"filez\"", StringComparison.Ordinal));

        var e = Assert.Throws<CheckpointCorruptException>(() => Checkpoint.Load(dir));

        Assert.Equal("manifest.json", e.FileName);
        Assert.Contains("files is missing", e.Message);
    }

    [Fact]
    public void SavingOverAnExistingCheckpointFailsAndLeavesItIntact()
    {
        using var root = new TemporaryDirectory();
        string dir = SaveSmall(root, "step-1");
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "manifest.json"));
        using var run = new Run(Device.Cpu, seed: 5);

        var e = Assert.Throws<IOException>(() => Checkpoint.Save(dir, run.Contents(step: 1)));

        Assert.Contains("already exists", e.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "manifest.json")));
        Assert.Equal([dir], Directory.GetDirectories(root.Path));
        Checkpoint.Verify(dir);
    }

    [Fact]
    public void ASaveThatFailsHalfwayLeavesNothingUnderTheCheckpointsName()
    {
        using var root = new TemporaryDirectory();
        string dir = root.Combine("step-1");
        using var good = Torch.Ones([4]);
        var gone = Torch.Ones([4]);
        gone.Dispose(); // writing it throws once the temporary directory and the weights file exist

        Assert.Throws<ObjectDisposedException>(() => Checkpoint.Save(dir, new CheckpointContents
        {
            Weights = new Dictionary<string, Tensor> { ["a"] = good, ["b"] = gone },
            TrainerState = new JsonObject { ["step"] = 1 },
        }));

        Assert.False(Directory.Exists(dir));
        Assert.Empty(Directory.GetFileSystemEntries(root.Path));
    }

    [Fact]
    public void FindLatestNeverTakesTheTemporaryDirectoryOfAnInterruptedSave()
    {
        using var root = new TemporaryDirectory();
        string good = SaveSmall(root, "step-3");
        // A crash just before the rename: every file, the manifest too, but under the temporary name.
        string crashed = root.Combine("step-5.tmp-0badc0ffee00");
        Directory.CreateDirectory(crashed);
        foreach (string file in Directory.GetFiles(good)) File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
        // A crash mid-write: a partial weights file only.
        string partial = root.Combine("step-6.tmp-123456789abc");
        Directory.CreateDirectory(partial);
        File.WriteAllBytes(Path.Combine(partial, "model.safetensors"), File.ReadAllBytes(Path.Combine(good, "model.safetensors"))[..40]);

        CheckpointSearch search = Checkpoint.FindLatest(root.Path);

        Assert.Equal(good, search.Latest);
        Assert.Equal([partial, crashed], search.Skipped.Select(s => s.Directory));
        Assert.All(search.Skipped, s => Assert.Contains("did not finish", s.Reason));

        IReadOnlyList<string> removed = Checkpoint.RemoveTemporaryDirectories(root.Path);

        Assert.Equal([crashed, partial], removed.Order(StringComparer.Ordinal));
        Assert.Equal([good], Directory.GetDirectories(root.Path));
        Assert.Empty(Checkpoint.FindLatest(root.Path).Skipped);
    }

    [Fact]
    public void FindLatestSkipsACorruptNewestCheckpointForThePreviousGoodOne()
    {
        using var root = new TemporaryDirectory();
        string step2 = SaveSmall(root, "step-2");
        string step9 = SaveSmall(root, "step-9");
        string step10 = SaveSmall(root, "step-10"); // newer than step-9, though it sorts before it as text
        Directory.CreateDirectory(root.Combine("notes"));
        Assert.Equal(step10, Checkpoint.FindLatest(root.Path).Latest);

        string weights = Path.Combine(step10, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(weights, bytes);
        CheckpointSearch search = Checkpoint.FindLatest(root.Path);

        Assert.Equal(step9, search.Latest);
        SkippedCheckpoint skipped = Assert.Single(search.Skipped);
        Assert.Equal(step10, skipped.Directory);
        Assert.Contains("model.safetensors", skipped.Reason);
        Assert.Contains("SHA-256", skipped.Reason);
        Assert.NotEqual(step2, search.Latest);
    }

    [Fact]
    public void FindLatestUnderAMissingOrEmptyRootFindsNothing()
    {
        using var root = new TemporaryDirectory();

        Assert.Null(Checkpoint.FindLatest(root.Path).Latest);
        Assert.Null(Checkpoint.FindLatest(root.Combine("absent")).Latest);
    }

    [Fact]
    public void RestoringIntoAModelOfAnotherShapeNamesTheTensor()
    {
        using var root = new TemporaryDirectory();
        string dir = SaveSmall(root, "step-1");
        using var other = new TinyRegressor(Inputs, Hidden * 2, Device.Cpu);
        using var loaded = Checkpoint.Load(dir);

        var e = Assert.Throws<ArgumentException>(() => loaded.RestoreModel(other));

        Assert.Contains("hidden.weight", e.Message);
        Assert.Contains(dir, e.Message);
    }

    [Fact]
    public void RestoringAnOptimizerWithOtherHyperparametersIsRefusedAndChangesNothing()
    {
        using var root = new TemporaryDirectory();
        string dir = SaveSmall(root, "step-1");
        using var other = new Run(Device.Cpu, seed: 4, beta2: 0.95);
        using var loaded = Checkpoint.Load(dir);

        var e = Assert.Throws<ArgumentException>(() => loaded.RestoreOptimizer(other.Optimizer, other.Model));

        Assert.Contains("group 1 has beta2 0.95", e.Message);
        Assert.Contains("0.99", e.Message);
        for (int g = 0; g < 2; g++)
        {
            for (int i = 0; i < 2; i++)
            {
                AdamWParamState state = other.Optimizer.GetState(g, i);
                Assert.Equal(0, state.Step);
                Assert.Null(state.ExpAvg);
            }
        }
        Assert.Equal(1e-2, other.Optimizer.Groups[0].LearningRate);
    }

    [Fact]
    public void WeightsByNameAndExplicitOptimizerNamesRoundTrip()
    {
        using var root = new TemporaryDirectory();
        string dir = root.Combine("step-4");
        using var a = Torch.From<float>([1f, 2f, 3f], requiresGrad: true);
        using var b = Torch.From<float>([-1f, 0.5f], requiresGrad: true);
        using var optimizer = new AdamW([a, b], learningRate: 0.1);
        using (var scope = new DisposeScope())
        {
            a.Sum().Add(b.Square().Sum()).Backward();
            optimizer.Step();
        }
        IReadOnlyList<IReadOnlyList<string>> names = [["policy.a", "value.b"]];
        Checkpoint.Save(dir, new CheckpointContents
        {
            Weights = new Dictionary<string, Tensor> { ["policy.a"] = a, ["value.b"] = b },
            Optimizer = optimizer,
            OptimizerParameterNames = names,
            IncludeRng = false,
        });
        using var a2 = Torch.Zeros([3], requiresGrad: true);
        using var b2 = Torch.Zeros([2], requiresGrad: true);
        using var restored = new AdamW([b2, a2], learningRate: 0.1);

        using var loaded = Checkpoint.Load(dir);
        loaded.RestoreOptimizer(restored, [["value.b", "policy.a"]]);

        Assert.False(loaded.HasRngState);
        Assert.Null(loaded.TrainerState);
        Assert.Throws<InvalidOperationException>(loaded.RestoreRng);
        Assert.Equal(a.ToArray<float>(), loaded.Weights["policy.a"].ToArray<float>());
        Assert.Equal(["policy.a", "value.b"], loaded.OptimizerGroups![0].ParameterNames);
        AdamWParamState original = optimizer.GetState(0, 0), copy = restored.GetState(0, 1);
        Assert.Equal(1, copy.Step);
        Assert.Equal(original.ExpAvg!.ToArray<float>(), copy.ExpAvg!.ToArray<float>());
        Assert.Equal(original.ExpAvgSq!.ToArray<float>(), copy.ExpAvgSq!.ToArray<float>());
        // exp_avg after one step is (1 - beta1) * grad; d(sum a)/da = 1.
        Assert.Equal(new[] { 0.1f, 0.1f, 0.1f }, copy.ExpAvg.ToArray<float>().Select(v => MathF.Round(v, 6)));
    }

    private static string SaveSmall(TemporaryDirectory root, string name)
    {
        using var run = new Run(Device.Cpu, seed: 3);
        run.Steps(2);
        string dir = root.Combine(name);
        Checkpoint.Save(dir, run.Contents(step: 2));
        return dir;
    }

    private static Dictionary<string, byte[]> WeightBytes(TinyRegressor model) =>
        model.NamedParameters().ToDictionary(p => p.Name, p => Bytes(p.Tensor));

    private static Dictionary<string, (long Step, byte[] ExpAvg, byte[] ExpAvgSq)> MomentBytes(Run run)
    {
        var names = run.Model.NamedParameters().ToDictionary(p => p.Tensor, p => p.Name, ReferenceEqualityComparer.Instance);
        var result = new Dictionary<string, (long, byte[], byte[])>();
        for (int g = 0; g < run.Optimizer.Groups.Count; g++)
        {
            for (int i = 0; i < run.Optimizer.Groups[g].Parameters.Count; i++)
            {
                AdamWParamState state = run.Optimizer.GetState(g, i);
                using Tensor m = state.ExpAvg!, v = state.ExpAvgSq!;
                result.Add(names[run.Optimizer.Groups[g].Parameters[i]], (state.Step, Bytes(m), Bytes(v)));
            }
        }
        return result;
    }

    private static byte[] Bytes(Tensor t)
    {
        var bytes = new byte[t.ByteCount];
        t.CopyBytesTo(bytes);
        return bytes;
    }

    private static void AssertSameBytes(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual, string what)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{what}: {name} differs");
    }
}
