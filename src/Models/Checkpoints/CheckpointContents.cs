using System.Text.Json.Nodes;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Checkpoints;

/// <summary>
/// What <see cref="Checkpoint.Save"/> writes: the weights (from <see cref="Model"/> or <see cref="Weights"/>,
/// exactly one), and optionally the optimizer state, the random generators and the caller's JSON.
/// </summary>
public sealed class CheckpointContents
{
    /// <summary>The model whose named parameters become <c>model.safetensors</c>.</summary>
    public Module? Model { get; init; }

    /// <summary>Tensors by name for <c>model.safetensors</c>, when the weights are not one <see cref="Module"/>
    /// (a policy and a value head under prefixes, say).</summary>
    public IReadOnlyDictionary<string, Tensor>? Weights { get; init; }

    /// <summary>The optimizer whose moments, step counts and hyperparameters are saved; null saves none.</summary>
    public AdamW? Optimizer { get; init; }

    /// <summary>
    /// The name of each optimizer parameter, per group, in the optimizer's order. When null, each
    /// parameter is named by finding the same tensor object among the weights, which is the usual case
    /// (an optimizer built over <c>model.Parameters()</c>).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>>? OptimizerParameterNames { get; init; }

    /// <summary>Whether to save the CPU generator's state and, where CUDA is available, that of every visible GPU
    /// (reading a GPU's state initializes CUDA on it, so give each process only its own GPUs through
    /// <c>CUDA_VISIBLE_DEVICES</c>).</summary>
    public bool IncludeRng { get; init; } = true;

    /// <summary>The model's configuration, saved as <c>config.json</c> (omitted when null).</summary>
    public JsonNode? ModelConfig { get; init; }

    /// <summary>The trainer's state (step, scheduler, data cursor, objective state...), saved as
    /// <c>trainer.json</c> (omitted when null).</summary>
    public JsonNode? TrainerState { get; init; }
}
