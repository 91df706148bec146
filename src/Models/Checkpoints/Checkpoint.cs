using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Checkpoints;

/// <summary>
/// Atomic, verified checkpoint directories. A checkpoint holds <c>model.safetensors</c>, optionally
/// <c>optimizer.safetensors</c> + <c>optimizer.json</c>, <c>rng.safetensors</c>, <c>config.json</c> and
/// <c>trainer.json</c>, and last <c>manifest.json</c>, which lists every other file with its size and
/// SHA-256. <see cref="Save"/> writes everything into a temporary sibling, fsyncs it and renames it into
/// place, so a crash at any moment leaves either no directory under the checkpoint's name or a complete
/// one; <see cref="Load"/> and <see cref="FindLatest"/> verify the manifest before trusting anything.
/// </summary>
/// <example><code>
/// Checkpoint.Save($"{root}/step-{step}", new CheckpointContents
/// {
///     Model = policy, Optimizer = optimizer,
///     ModelConfig = JsonSerializer.SerializeToNode(config),
///     TrainerState = new JsonObject { ["step"] = step, ["data_cursor"] = cursor },
/// });
/// // after a restart:
/// var search = Checkpoint.FindLatest(root);
/// foreach (var s in search.Skipped) logger.LogWarning("skipped {Dir}: {Reason}", s.Directory, s.Reason);
/// using var loaded = Checkpoint.Load(search.Latest!);
/// loaded.RestoreModel(policy);
/// loaded.RestoreOptimizer(optimizer, policy);
/// loaded.RestoreRng();
/// </code></example>
public static class Checkpoint
{
    /// <summary>The layout version this build writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The manifest, written last.</summary>
    public const string ManifestFileName = "manifest.json";

    /// <summary>The weights by parameter name.</summary>
    public const string ModelFileName = "model.safetensors";

    /// <summary>The AdamW moments, as <c>{parameter}.exp_avg</c> and <c>{parameter}.exp_avg_sq</c>.</summary>
    public const string OptimizerTensorsFileName = "optimizer.safetensors";

    /// <summary>The AdamW hyperparameters per group and the name and step count of each parameter.</summary>
    public const string OptimizerFileName = "optimizer.json";

    /// <summary>The random generators' states: <c>cpu</c>, and <c>cuda:N</c> per GPU.</summary>
    public const string RngFileName = "rng.safetensors";

    /// <summary>The caller's model configuration.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The caller's trainer state.</summary>
    public const string TrainerFileName = "trainer.json";

    /// <summary>What separates a checkpoint's name from the random suffix of its temporary directory.</summary>
    public const string TemporaryMarker = ".tmp-";

    private const string FormatName = "actorrl-checkpoint";
    private const string CpuState = "cpu";
    private const string CudaStatePrefix = "cuda:";

    // transformers refuses safetensors weights whose metadata does not say they came from PyTorch.
    private static readonly Dictionary<string, string> PyTorchFormat = new() { ["format"] = "pt" };

    /// <summary>
    /// Writes a checkpoint to <paramref name="directory"/>, which must not exist: into
    /// <c>{directory}.tmp-{random}</c> first, each file fsynced and hashed, the manifest last, the temporary
    /// directory fsynced, then renamed to <paramref name="directory"/> and the parent fsynced. If anything
    /// fails, the temporary directory is removed and nothing appears under <paramref name="directory"/>.
    /// </summary>
    /// <returns>The manifest that was written.</returns>
    /// <exception cref="IOException"><paramref name="directory"/> already exists: checkpoints are never overwritten.</exception>
    /// <exception cref="ArgumentException">The contents are inconsistent (no weights or both kinds, an optimizer
    /// parameter with no name).</exception>
    public static CheckpointManifest Save(string directory, CheckpointContents contents)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(contents);
        IReadOnlyDictionary<string, Tensor> weights = WeightsOf(contents);
        IReadOnlyList<IReadOnlyList<string>>? names = null;
        if (contents.Optimizer is not null)
        {
            names = contents.OptimizerParameterNames ?? AdamWCheckpoint.NamesByIdentity(contents.Optimizer, weights);
            AdamWCheckpoint.CheckNames(contents.Optimizer, names);
        }

        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string parent = Path.GetDirectoryName(target) ?? throw new ArgumentException("a checkpoint cannot be the root directory", nameof(directory));
        if (Directory.Exists(target) || File.Exists(target))
        {
            throw new IOException($"{target} already exists; a checkpoint is never overwritten, so save under a new name");
        }
        Directory.CreateDirectory(parent);
        string temporary = target + TemporaryMarker + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        Directory.CreateDirectory(temporary);
        CheckpointManifest manifest;
        try
        {
            var files = new List<CheckpointFile>
            {
                DurableFiles.Write(temporary, ModelFileName, s => Safetensors.Write(s, weights, PyTorchFormat)),
            };
            if (contents.Optimizer is not null) files.AddRange(AdamWCheckpoint.Write(temporary, contents.Optimizer, names!));
            if (contents.IncludeRng) files.Add(DurableFiles.Write(temporary, RngFileName, WriteRng));
            if (contents.ModelConfig is not null) files.Add(CheckpointJson.Write(temporary, ConfigFileName, contents.ModelConfig));
            if (contents.TrainerState is not null) files.Add(CheckpointJson.Write(temporary, TrainerFileName, contents.TrainerState));
            manifest = new CheckpointManifest(FormatVersion, DateTimeOffset.UtcNow, files);
            CheckpointJson.Write(temporary, ManifestFileName, ManifestJson(manifest));
            DurableFiles.SyncDirectory(temporary);
            Directory.Move(temporary, target);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        DurableFiles.SyncDirectory(parent);
        return manifest;
    }

    /// <summary>
    /// Checks that <paramref name="directory"/> is a complete checkpoint: its manifest parses, and every file
    /// it lists exists with the recorded size and SHA-256 (sizes first, so truncation is reported without
    /// reading anything). Reads every byte of the checkpoint.
    /// </summary>
    /// <returns>The manifest.</returns>
    /// <exception cref="CheckpointCorruptException">Something is missing or differs; the message names the file.</exception>
    /// <exception cref="DirectoryNotFoundException">There is no such directory.</exception>
    public static CheckpointManifest Verify(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"checkpoint {dir} does not exist");
        CheckpointManifest manifest = ReadManifest(dir);
        foreach (CheckpointFile file in manifest.Files)
        {
            var info = new FileInfo(Path.Combine(dir, file.Name));
            if (!info.Exists) throw new CheckpointCorruptException(dir, file.Name, "listed in the manifest but missing");
            if (info.Length != file.Bytes)
            {
                throw new CheckpointCorruptException(dir, file.Name, $"{info.Length} bytes, but the manifest records {file.Bytes} (truncated or rewritten)");
            }
        }
        foreach (CheckpointFile file in manifest.Files)
        {
            string actual = DurableFiles.Sha256(Path.Combine(dir, file.Name));
            if (actual != file.Sha256)
            {
                throw new CheckpointCorruptException(dir, file.Name, $"SHA-256 {actual} differs from the manifest's {file.Sha256}: the contents changed after the save");
            }
        }
        return manifest;
    }

    /// <summary>
    /// Verifies (<see cref="Verify"/>) and reads a checkpoint: weights, optimizer state and random
    /// generator states into host memory, and the JSON files. Nothing is applied until one of the
    /// <c>Restore</c> methods of the result is called.
    /// </summary>
    /// <exception cref="CheckpointCorruptException">The checkpoint is incomplete, altered or unreadable; the message names the file.</exception>
    /// <exception cref="DirectoryNotFoundException">There is no such directory.</exception>
    public static LoadedCheckpoint Load(string directory)
    {
        CheckpointManifest manifest = Verify(directory);
        string dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var listed = manifest.Files.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        SafetensorsFile? weights = null, moments = null, rng = null;
        try
        {
            weights = ReadTensors(dir, ModelFileName);
            List<SavedAdamWGroup>? groups = null;
            if (listed.Contains(OptimizerFileName) || listed.Contains(OptimizerTensorsFileName))
            {
                foreach (string needed in (string[])[OptimizerFileName, OptimizerTensorsFileName])
                {
                    if (!listed.Contains(needed)) throw new CheckpointCorruptException(dir, needed, "the manifest lists only half of the optimizer state");
                }
                moments = ReadTensors(dir, OptimizerTensorsFileName);
                groups = AdamWCheckpoint.Parse(dir, moments);
            }
            if (listed.Contains(RngFileName))
            {
                rng = ReadTensors(dir, RngFileName);
                CheckRng(dir, rng);
            }
            JsonNode? config = listed.Contains(ConfigFileName) ? new CheckpointJson(dir, ConfigFileName).Parse() : null;
            JsonNode? trainer = listed.Contains(TrainerFileName) ? new CheckpointJson(dir, TrainerFileName).Parse() : null;
            return new LoadedCheckpoint(dir, manifest, weights, moments, groups, rng, config, trainer);
        }
        catch
        {
            weights?.Dispose();
            moments?.Dispose();
            rng?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The newest complete checkpoint under <paramref name="root"/>: among directories named
    /// <c>{prefix}{N}</c> (N a non-negative integer, the training step), the one with the largest N whose
    /// manifest verifies. Newer ones that fail verification are skipped, and temporary directories of saves
    /// that never finished (<c>{prefix}{N}.tmp-*</c>) are never taken; both are reported in
    /// <see cref="CheckpointSearch.Skipped"/>. Other names are ignored. Verification reads every byte of the
    /// checkpoint it accepts (and of the corrupt ones above it).
    /// </summary>
    public static CheckpointSearch FindLatest(string root, string prefix = "step-")
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(prefix);
        var skipped = new List<SkippedCheckpoint>();
        string? latest = null;
        foreach (var (_, path, temporary) in Candidates(root, prefix).OrderByDescending(c => c.Step).ThenBy(c => c.Temporary))
        {
            if (temporary)
            {
                skipped.Add(new SkippedCheckpoint(path, "temporary directory of a save that did not finish"));
                continue;
            }
            if (latest is not null) continue;
            try
            {
                Verify(path);
                latest = path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                skipped.Add(new SkippedCheckpoint(path, e.Message));
            }
        }
        return new CheckpointSearch(latest, skipped);
    }

    /// <summary>
    /// Deletes the temporary directories (<c>{prefix}{N}.tmp-*</c>) that interrupted saves left under
    /// <paramref name="root"/>. Call it only while no save into <paramref name="root"/> is running (at the
    /// start of the process that owns it), or it removes that save's work.
    /// </summary>
    /// <returns>The directories deleted.</returns>
    public static IReadOnlyList<string> RemoveTemporaryDirectories(string root, string prefix = "step-")
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(prefix);
        var removed = new List<string>();
        foreach (var (_, path, temporary) in Candidates(root, prefix))
        {
            if (!temporary) continue;
            Directory.Delete(path, recursive: true);
            removed.Add(path);
        }
        return removed;
    }

    private static IEnumerable<(long Step, string Path, bool Temporary)> Candidates(string root, string prefix)
    {
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) yield break;
        foreach (string path in Directory.EnumerateDirectories(full))
        {
            string name = Path.GetFileName(path);
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            int marker = name.IndexOf(TemporaryMarker, prefix.Length, StringComparison.Ordinal);
            string number = marker < 0 ? name[prefix.Length..] : name[prefix.Length..marker];
            if (long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long step)) yield return (step, path, marker >= 0);
        }
    }

    private static IReadOnlyDictionary<string, Tensor> WeightsOf(CheckpointContents contents)
    {
        if ((contents.Model is null) == (contents.Weights is null))
        {
            throw new ArgumentException("a checkpoint needs its weights from exactly one of Model and Weights", nameof(contents));
        }
        if (contents.Weights is not null) return contents.Weights;
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in contents.Model!.NamedParameters()) weights.Add(name, tensor);
        return weights;
    }

    private static void WriteRng(Stream stream)
    {
        var states = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            states.Add(CpuState, Torch.From<byte>(TorchRandom.GetState(Device.Cpu)));
            if (Torch.CudaIsAvailable)
            {
                for (int i = 0; i < Torch.CudaDeviceCount; i++)
                {
                    states.Add(CudaStatePrefix + i.ToString(CultureInfo.InvariantCulture), Torch.From<byte>(TorchRandom.GetState(new Device(DeviceType.Cuda, i))));
                }
            }
            Safetensors.Write(stream, states);
        }
        finally
        {
            foreach (Tensor t in states.Values) t.Dispose();
        }
    }

    private static void CheckRng(string dir, SafetensorsFile rng)
    {
        if (!rng.Tensors.ContainsKey(CpuState)) throw new CheckpointCorruptException(dir, RngFileName, "holds no 'cpu' generator state");
        foreach (var (name, state) in rng.Tensors)
        {
            bool known = name == CpuState || (name.StartsWith(CudaStatePrefix, StringComparison.Ordinal)
                && int.TryParse(name.AsSpan(CudaStatePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out _));
            if (!known) throw new CheckpointCorruptException(dir, RngFileName, $"holds '{name}', which names no generator");
            if (state.DType != ScalarType.Byte || state.Dim != 1)
            {
                throw new CheckpointCorruptException(dir, RngFileName, $"'{name}' is {state}, not a vector of bytes");
            }
        }
    }

    /// <summary>Restores the generator states of <paramref name="rng"/>: the CPU's, and each saved GPU's that is present.</summary>
    internal static void RestoreRng(SafetensorsFile rng)
    {
        int gpus = Torch.CudaIsAvailable ? Torch.CudaDeviceCount : 0;
        foreach (var (name, state) in rng.Tensors)
        {
            if (name == CpuState)
            {
                TorchRandom.SetState(state.ToArray<byte>(), Device.Cpu);
                continue;
            }
            int index = int.Parse(name.AsSpan(CudaStatePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture);
            if (index < gpus) TorchRandom.SetState(state.ToArray<byte>(), new Device(DeviceType.Cuda, index));
        }
    }

    private static SafetensorsFile ReadTensors(string dir, string name)
    {
        using var stream = new FileStream(Path.Combine(dir, name), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        try
        {
            return Safetensors.Read(stream, name);
        }
        catch (InvalidDataException e)
        {
            string detail = e.Message.StartsWith(name + ": ", StringComparison.Ordinal) ? e.Message[(name.Length + 2)..] : e.Message;
            throw new CheckpointCorruptException(dir, name, detail, e);
        }
    }

    private static JsonObject ManifestJson(CheckpointManifest manifest)
    {
        var files = new JsonArray();
        foreach (CheckpointFile f in manifest.Files)
        {
            files.Add(new JsonObject { ["name"] = f.Name, ["bytes"] = f.Bytes, ["sha256"] = f.Sha256 });
        }
        return new JsonObject
        {
            ["format"] = FormatName,
            ["format_version"] = manifest.FormatVersion,
            ["created_utc"] = manifest.CreatedUtc.ToString("O", CultureInfo.InvariantCulture),
            ["files"] = files,
        };
    }

    private static CheckpointManifest ReadManifest(string dir)
    {
        var json = new CheckpointJson(dir, ManifestFileName);
        if (!File.Exists(Path.Combine(dir, ManifestFileName)))
        {
            throw json.Corrupt("missing: the save did not finish, or the directory is not a checkpoint");
        }
        JsonObject root = json.Object(json.Parse(), "the root");
        if (root["format"] is not JsonValue format || !format.TryGetValue(out string? formatName) || formatName != FormatName)
        {
            throw json.Corrupt($"format is not \"{FormatName}\"");
        }
        long version = json.Int64(root, "format_version", "");
        if (version < 1 || version > FormatVersion)
        {
            throw json.Corrupt($"format_version {version} is not one this build reads (1 to {FormatVersion})");
        }
        if (!DateTimeOffset.TryParseExact(json.String(root, "created_utc", ""), "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset created))
        {
            throw json.Corrupt("created_utc is not an ISO 8601 time");
        }
        var files = new List<CheckpointFile>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        JsonArray array = json.Array(root, "files", "");
        for (int i = 0; i < array.Count; i++)
        {
            string path = $"files[{i}]";
            JsonObject entry = json.Object(array[i], path);
            string name = json.String(entry, "name", path);
            if (name.Length == 0 || name != Path.GetFileName(name) || name is "." or ".." || name == ManifestFileName)
            {
                throw json.Corrupt($"{path}.name '{name}' is not a file of the checkpoint");
            }
            if (!names.Add(name)) throw json.Corrupt($"{path}.name '{name}' is listed twice");
            long bytes = json.Int64(entry, "bytes", path);
            string sha = json.String(entry, "sha256", path);
            if (bytes < 0) throw json.Corrupt($"{path}.bytes is negative");
            if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigitLower))
            {
                throw json.Corrupt($"{path}.sha256 is not 64 lowercase hex digits");
            }
            files.Add(new CheckpointFile(name, bytes, sha));
        }
        if (!names.Contains(ModelFileName)) throw json.Corrupt($"does not list {ModelFileName}");
        return new CheckpointManifest((int)version, created, files);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // What is left is named *.tmp-*, which FindLatest never takes and RemoveTemporaryDirectories deletes.
        }
    }
}
