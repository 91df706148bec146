namespace ActorRL.Models.Tensors;

/// <summary>A set of parameters updated with the same AdamW hyperparameters.</summary>
/// <param name="Parameters">Leaf tensors that require gradients.</param>
/// <param name="LearningRate">Step size.</param>
/// <param name="Beta1">Decay of the first-moment estimate.</param>
/// <param name="Beta2">Decay of the second-moment estimate.</param>
/// <param name="Eps">Added to the denominator for numerical stability.</param>
/// <param name="WeightDecay">Decoupled weight decay: each step multiplies parameters by 1 - lr·wd.
/// Norms and biases usually go in a group with 0.</param>
public sealed record ParamGroup(
    IReadOnlyList<Tensor> Parameters,
    double LearningRate = 1e-3,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Eps = 1e-8,
    double WeightDecay = 0.01);

/// <summary>The optimizer state of one parameter.</summary>
/// <param name="Step">Updates applied so far.</param>
/// <param name="ExpAvg">First-moment estimate, or null before the first step.</param>
/// <param name="ExpAvgSq">Second-moment estimate, or null before the first step.</param>
public sealed record AdamWParamState(long Step, Tensor? ExpAvg, Tensor? ExpAvgSq);

/// <summary>
/// AdamW (Loshchilov and Hutter) with parameter groups, running inside libtorch: one native call
/// updates every parameter. The arithmetic is that of PyTorch's torch.optim.AdamW (single-tensor
/// path), so both produce the same parameters from the same gradients.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly OptimizerHandle handle;
    private readonly List<ParamGroup> groups = [];

    /// <summary>Creates the optimizer over the given groups.</summary>
    public AdamW(IEnumerable<ParamGroup> groups)
    {
        handle = LibTorch.atr_adamw_new();
        foreach (ParamGroup g in groups) AddGroup(g);
    }

    /// <summary>Creates the optimizer over one group.</summary>
    public AdamW(IReadOnlyList<Tensor> parameters, double learningRate = 1e-3, double weightDecay = 0.01)
        : this([new ParamGroup(parameters, learningRate, WeightDecay: weightDecay)]) { }

    /// <summary>The groups, with their current learning rates.</summary>
    public IReadOnlyList<ParamGroup> Groups => groups;

    /// <summary>Adds a group of parameters.</summary>
    public unsafe void AddGroup(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        Validate(group);
        int index = Tensor.WithHandles(group.Parameters.ToArray(), p =>
        {
            fixed (nint* pp = p)
            {
                return LibTorch.atr_adamw_add_group(handle, pp, p.Length, group.LearningRate, group.Beta1, group.Beta2, group.Eps, group.WeightDecay);
            }
        });
        if (index < 0) throw TorchException.FromNative();
        groups.Add(group);
    }

    /// <summary>Changes a group's learning rate (schedulers call this every step).</summary>
    public void SetLearningRate(int group, double learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        TorchException.Check(LibTorch.atr_adamw_set_lr(handle, group, learningRate));
        groups[group] = groups[group] with { LearningRate = learningRate };
    }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public void Step() => TorchException.Check(LibTorch.atr_adamw_step(handle));

    /// <summary>Clears every parameter's gradient (drops it by default, as PyTorch does).</summary>
    public void ZeroGrad(bool setToNone = true) => TorchException.Check(LibTorch.atr_adamw_zero_grad(handle, setToNone ? 1 : 0));

    /// <summary>The state of parameter <paramref name="index"/> of <paramref name="group"/>; the tensors are copies' handles the caller owns.</summary>
    public AdamWParamState GetState(int group, int index)
    {
        TorchException.Check(LibTorch.atr_adamw_get_step(handle, group, index, out long step));
        return new AdamWParamState(step, Moment(group, index, 0), Moment(group, index, 1));
    }

    /// <summary>
    /// Restores a parameter's state (from a checkpoint, or from before a failed update); the moments are copied. A state
    /// without moments is that of a parameter never stepped: its step must be 0.
    /// </summary>
    public void SetState(int group, int index, AdamWParamState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.ExpAvg is null && state.ExpAvgSq is null)
        {
            if (state.Step != 0) throw new ArgumentException($"AdamW state without moments must have step 0, not {state.Step}", nameof(state));
            TorchException.Check(LibTorch.atr_adamw_clear_state(handle, group, index));
            return;
        }
        if (state.ExpAvg is null || state.ExpAvgSq is null)
        {
            throw new ArgumentException("both moments are needed to restore AdamW state", nameof(state));
        }
        TorchException.Check(LibTorch.atr_adamw_set_state(handle, group, index, state.Step, state.ExpAvg.Handle, state.ExpAvgSq.Handle));
    }

    /// <summary>Frees the optimizer state.</summary>
    public void Dispose() => handle.Dispose();

    private Tensor? Moment(int group, int index, int which)
    {
        var h = LibTorch.atr_adamw_get_moment(handle, group, index, which);
        if (h.IsInvalid) throw TorchException.FromNative();
        if (LibTorch.atr_defined(h) == 0)
        {
            h.Dispose();
            return null;
        }
        return new Tensor(h);
    }

    private static void Validate(ParamGroup g)
    {
        if (!(g.LearningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(ParamGroup.LearningRate), g.LearningRate, "must be >= 0");
        if (!(g.Beta1 is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(ParamGroup.Beta1), g.Beta1, "must be in [0, 1)");
        if (!(g.Beta2 is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(ParamGroup.Beta2), g.Beta2, "must be in [0, 1)");
        if (!(g.Eps >= 0)) throw new ArgumentOutOfRangeException(nameof(ParamGroup.Eps), g.Eps, "must be >= 0");
        if (!(g.WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(ParamGroup.WeightDecay), g.WeightDecay, "must be >= 0");
    }
}
