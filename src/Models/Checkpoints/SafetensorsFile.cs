using ActorRL.Models.Tensors;

namespace ActorRL.Models.Checkpoints;

/// <summary>The contents of a safetensors file, read by <see cref="Safetensors.Read(string)"/>: host tensors it owns, and its metadata.</summary>
public sealed class SafetensorsFile : IDisposable
{
    internal SafetensorsFile(string source, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Source = source;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Where the tensors were read from (the path, for a file).</summary>
    public string Source { get; }

    /// <summary>The tensors by name, on the CPU, in the order of their bytes in the file.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> pairs (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The file has no such tensor; the message names both.</exception>
    public Tensor this[string name] =>
        Tensors.TryGetValue(name, out Tensor? t) ? t : throw new KeyNotFoundException($"{Source} holds no tensor '{name}'");

    /// <summary>Frees every tensor.</summary>
    public void Dispose()
    {
        foreach (Tensor t in Tensors.Values) t.Dispose();
    }
}
