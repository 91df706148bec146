using ActorRL.Models.Tensors;

namespace ActorRL.Models.Nn;

/// <summary>
/// Keys and values of every layer for the positions already processed, so that generation feeds only
/// the new token each step. Preallocated to <see cref="Capacity"/> positions: [batch, heads, capacity, head width].
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] keys;
    private readonly Tensor[] values;

    /// <summary>Allocates the cache for a batch on the model's device.</summary>
    public KvCache(GptConfig config, long batch, int capacity, Device device, ScalarType dtype = ScalarType.Float32)
    {
        if (capacity > config.ContextLength)
        {
            throw new ArgumentException($"a cache of {capacity} positions exceeds the model's context length {config.ContextLength}", nameof(capacity));
        }
        Capacity = capacity;
        keys = new Tensor[config.Layers];
        values = new Tensor[config.Layers];
        for (int i = 0; i < config.Layers; i++)
        {
            keys[i] = Torch.Zeros([batch, config.Heads, capacity, config.HeadWidth], dtype, device);
            values[i] = Torch.Zeros([batch, config.Heads, capacity, config.HeadWidth], dtype, device);
            DisposeScope.Current?.Release(keys[i]);
            DisposeScope.Current?.Release(values[i]);
        }
    }

    /// <summary>Positions the cache can hold.</summary>
    public int Capacity { get; }

    /// <summary>Positions filled so far.</summary>
    public int Length { get; internal set; }

    /// <summary>Stores layer <paramref name="layer"/>'s keys and values [B, H, T, D] for the next T positions and
    /// returns views of all filled positions (including these).</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        long t = k.Size(2);
        if (Length + t > Capacity) throw new InvalidOperationException($"the KV cache holds {Capacity} positions; {Length} used, {t} more requested");
        using (Tensor slot = keys[layer].Narrow(2, Length, t)) slot.CopyInPlace(k);
        using (Tensor slot = values[layer].Narrow(2, Length, t)) slot.CopyInPlace(v);
        return (keys[layer].Narrow(2, 0, Length + t), values[layer].Narrow(2, 0, Length + t));
    }

    /// <summary>Frees the cache.</summary>
    public void Dispose()
    {
        foreach (Tensor t in keys) t.Dispose();
        foreach (Tensor t in values) t.Dispose();
    }
}
