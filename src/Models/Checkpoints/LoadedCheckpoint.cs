using System.Text.Json.Nodes;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Checkpoints;

/// <summary>
/// A verified checkpoint read into host memory by <see cref="Checkpoint.Load"/>. Restore what the run
/// needs (model, optimizer, random generators) and read the caller's JSON; dispose it afterwards to
/// free the host copies.
/// </summary>
public sealed class LoadedCheckpoint : IDisposable
{
    private readonly SafetensorsFile weights;
    private readonly SafetensorsFile? moments;
    private readonly SafetensorsFile? rng;

    internal LoadedCheckpoint(string directory, CheckpointManifest manifest, SafetensorsFile weights, SafetensorsFile? moments,
        IReadOnlyList<SavedAdamWGroup>? optimizerGroups, SafetensorsFile? rng, JsonNode? modelConfig, JsonNode? trainerState)
    {
        Directory = directory;
        Manifest = manifest;
        this.weights = weights;
        this.moments = moments;
        OptimizerGroups = optimizerGroups;
        this.rng = rng;
        ModelConfig = modelConfig;
        TrainerState = trainerState;
    }

    /// <summary>The checkpoint's full path.</summary>
    public string Directory { get; }

    /// <summary>The verified manifest (format version, creation time, files).</summary>
    public CheckpointManifest Manifest { get; }

    /// <summary>The saved weights by name, on the CPU.</summary>
    public IReadOnlyDictionary<string, Tensor> Weights => weights.Tensors;

    /// <summary>The saved AdamW groups, or null when the checkpoint has no optimizer state.</summary>
    public IReadOnlyList<SavedAdamWGroup>? OptimizerGroups { get; }

    /// <summary>Whether the checkpoint holds random generator states.</summary>
    public bool HasRngState => rng is not null;

    /// <summary>The saved model configuration, or null.</summary>
    public JsonNode? ModelConfig { get; }

    /// <summary>The saved trainer state, or null.</summary>
    public JsonNode? TrainerState { get; }

    /// <summary>Copies the saved weights into <paramref name="model"/>'s parameters (on whatever device they live).</summary>
    /// <exception cref="ArgumentException">A parameter is missing from the checkpoint, the checkpoint has one the
    /// model lacks, or a shape differs; the message names the tensor.</exception>
    public void RestoreModel(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        try
        {
            model.LoadParameters(Weights);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"checkpoint {Directory} does not fit the model: {e.Message}", nameof(model), e);
        }
    }

    /// <summary>
    /// Restores <paramref name="optimizer"/> built over <paramref name="model"/>'s parameters: each parameter
    /// is named by finding it among the model's, then matched by name.
    /// </summary>
    /// <inheritdoc cref="RestoreOptimizer(AdamW, IReadOnlyList{IReadOnlyList{string}})"/>
    public void RestoreOptimizer(AdamW optimizer, Module model)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(model);
        var named = model.NamedParameters().Select(p => KeyValuePair.Create(p.Name, p.Tensor));
        RestoreOptimizer(optimizer, AdamWCheckpoint.NamesByIdentity(optimizer, named));
    }

    /// <summary>
    /// Restores each group's learning rate and each parameter's moments and step count, matching parameters
    /// by name within a group (their order may differ from the saved one). Everything is checked before
    /// anything changes. Meant for a freshly built optimizer: a parameter saved before its first update
    /// has no moments, and its state here is left as it is.
    /// </summary>
    /// <param name="optimizer">An optimizer with the saved groups and hyperparameters.</param>
    /// <param name="parameterNames">The name of each parameter, per group, in <paramref name="optimizer"/>'s order.</param>
    /// <exception cref="InvalidOperationException">The checkpoint holds no optimizer state.</exception>
    /// <exception cref="ArgumentException">The groups, their parameter names, their betas, eps or weight decay,
    /// or a parameter's shape differ from the saved ones; the message names the group or parameter.</exception>
    public void RestoreOptimizer(AdamW optimizer, IReadOnlyList<IReadOnlyList<string>> parameterNames)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(parameterNames);
        if (OptimizerGroups is null) throw new InvalidOperationException($"checkpoint {Directory} holds no optimizer state");
        AdamWCheckpoint.Restore(optimizer, parameterNames, OptimizerGroups, Directory);
    }

    /// <summary>
    /// Restores the CPU generator and, for every GPU that was saved and is present now, its generator, so that
    /// sampling continues exactly where the saved run was. GPU states of devices absent now are ignored.
    /// </summary>
    /// <exception cref="InvalidOperationException">The checkpoint holds no generator states.</exception>
    public void RestoreRng()
    {
        if (rng is null) throw new InvalidOperationException($"checkpoint {Directory} holds no random generator state");
        Checkpoint.RestoreRng(rng);
    }

    /// <summary>Frees the host copies of the weights, moments and generator states.</summary>
    public void Dispose()
    {
        weights.Dispose();
        moments?.Dispose();
        rng?.Dispose();
    }
}
