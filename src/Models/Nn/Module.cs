using ActorRL.Models.Tensors;

namespace ActorRL.Models.Nn;

/// <summary>
/// A neural-network building block that owns named parameters and submodules, as torch.nn.Module:
/// parameter names are dotted paths (<c>transformer.h.0.attn.c_attn.weight</c>) that match the
/// PyTorch model, so weights travel both ways through safetensors.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Tensor Tensor)> parameters = [];
    private readonly List<(string Name, Module Module)> modules = [];
    private bool disposed;

    /// <summary>Whether the module is in training mode (dropout active).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Registers a parameter: it requires gradients and belongs to this module (which disposes it).</summary>
    protected Tensor Parameter(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        DisposeScope.Current?.Release(value);
        if (!value.RequiresGrad) value.RequiresGrad = true;
        parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers a submodule under <paramref name="name"/>.</summary>
    protected T Submodule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        modules.Add((name, module));
        return module;
    }

    /// <summary>Every parameter with its dotted name, each tensor once (a tied weight under its first name).</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> NamedParameters()
    {
        var result = new List<(string, Tensor)>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        Collect("", result, seen);
        return result;
    }

    private void Collect(string prefix, List<(string, Tensor)> result, HashSet<Tensor> seen)
    {
        foreach (var (name, tensor) in parameters)
        {
            if (seen.Add(tensor)) result.Add((prefix + name, tensor));
        }
        foreach (var (name, module) in modules) module.Collect(prefix + name + ".", result, seen);
    }

    /// <summary>All parameters, each once.</summary>
    public IReadOnlyList<Tensor> Parameters() => [.. NamedParameters().Select(p => p.Tensor)];

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount => NamedParameters().Sum(p => p.Tensor.NumberOfElements);

    /// <summary>Sets training mode here and in every submodule.</summary>
    public void Train(bool training = true)
    {
        IsTraining = training;
        foreach (var (_, module) in modules) module.Train(training);
    }

    /// <summary>Sets evaluation mode (no dropout).</summary>
    public void Eval() => Train(false);

    /// <summary>Drops the gradients of all parameters.</summary>
    public void ZeroGrad()
    {
        foreach (Tensor p in Parameters()) p.ZeroGrad();
    }

    /// <summary>Moves (or converts) every parameter in place; handles to them stay valid.</summary>
    public void To(Device device)
    {
        using var noGrad = NoGradScope.Enter();
        foreach (Tensor p in Parameters())
        {
            using Tensor moved = p.To(device);
            p.SetData(moved);
        }
    }

    /// <summary>Copies parameter values from a name → tensor map; every name and shape must match.</summary>
    /// <exception cref="ArgumentException">A parameter is missing, unexpected, or has another shape; the message names it.</exception>
    public void LoadParameters(IReadOnlyDictionary<string, Tensor> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var named = NamedParameters();
        var missing = named.Select(p => p.Name).Where(n => !values.ContainsKey(n)).ToList();
        if (missing.Count > 0) throw new ArgumentException($"no values for parameter(s): {string.Join(", ", missing)}", nameof(values));
        var expected = named.Select(p => p.Name).ToHashSet();
        var unexpected = values.Keys.Where(k => !expected.Contains(k)).ToList();
        if (unexpected.Count > 0) throw new ArgumentException($"unexpected parameter(s): {string.Join(", ", unexpected)}", nameof(values));
        using var noGrad = NoGradScope.Enter();
        foreach (var (name, tensor) in named)
        {
            Tensor value = values[name];
            if (!value.Shape.AsSpan().SequenceEqual(tensor.Shape))
            {
                throw new ArgumentException($"parameter {name} has shape [{string.Join(", ", tensor.Shape)}] but the value has [{string.Join(", ", value.Shape)}]", nameof(values));
            }
            tensor.CopyInPlace(value);
        }
    }

    /// <summary>Frees the parameters of this module and its submodules.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var (_, tensor) in parameters) tensor.Dispose();
        foreach (var (_, module) in modules) module.Dispose();
        GC.SuppressFinalize(this);
    }
}
