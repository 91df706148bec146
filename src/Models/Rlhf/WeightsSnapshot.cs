using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>One parameter as host bytes: what travels from the learner to the rollout workers.</summary>
/// <param name="Name">The dotted parameter name (<see cref="Module.NamedParameters"/>).</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Data">Raw little-endian elements, row-major.</param>
public sealed record TensorBytes(string Name, ScalarType DType, long[] Shape, byte[] Data);

/// <summary>
/// A policy's weights at one version, copied to host memory so that they can be published as a message and applied
/// to another copy of the model on any device. Two snapshots are equal when their versions and contents
/// (<see cref="Sha256"/>) are.
/// </summary>
/// <param name="Version">The learner's version that produced the weights.</param>
/// <param name="Tensors">Every parameter, in <see cref="Module.NamedParameters"/> order.</param>
public sealed record WeightsSnapshot(long Version, IReadOnlyList<TensorBytes> Tensors)
{
    private string? sha256;

    /// <summary>Copies every parameter of <paramref name="model"/> (on whatever device) to host bytes.</summary>
    public static WeightsSnapshot Capture(Module model, long version)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var noGrad = NoGradScope.Enter();
        var tensors = new List<TensorBytes>();
        foreach (var (name, tensor) in model.NamedParameters())
        {
            var data = new byte[tensor.ByteCount];
            tensor.CopyBytesTo(data);
            tensors.Add(new TensorBytes(name, tensor.DType, tensor.Shape, data));
        }
        return new WeightsSnapshot(version, tensors);
    }

    /// <summary>
    /// Copies the weights into <paramref name="model"/>'s parameters, on their device. Everything is checked before
    /// anything is written, so a snapshot that does not fit leaves the model as it was.
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is missing or unexpected, or its shape, dtype or byte count differs;
    /// the message names the tensor.</exception>
    public void ApplyTo(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var byName = new Dictionary<string, TensorBytes>(StringComparer.Ordinal);
        foreach (TensorBytes t in Tensors)
        {
            if (!byName.TryAdd(t.Name, t)) throw new ArgumentException($"weights version {Version} hold tensor {t.Name} twice", nameof(model));
        }
        var parameters = model.NamedParameters();
        var missing = parameters.Select(p => p.Name).Where(n => !byName.ContainsKey(n)).ToList();
        if (missing.Count > 0) throw new ArgumentException($"weights version {Version} have no tensor for parameter(s): {string.Join(", ", missing)}", nameof(model));
        var expected = parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = byName.Keys.Where(k => !expected.Contains(k)).ToList();
        if (unexpected.Count > 0) throw new ArgumentException($"weights version {Version} hold tensor(s) the model lacks: {string.Join(", ", unexpected)}", nameof(model));
        foreach (var (name, tensor) in parameters)
        {
            TensorBytes t = byName[name];
            if (!t.Shape.AsSpan().SequenceEqual(tensor.Shape))
            {
                throw new ArgumentException($"tensor {name} is [{string.Join(", ", t.Shape)}] in weights version {Version} but the model's is [{string.Join(", ", tensor.Shape)}]", nameof(model));
            }
            if (t.DType != tensor.DType) throw new ArgumentException($"tensor {name} is {t.DType} in weights version {Version} but the model's is {tensor.DType}", nameof(model));
            if (t.Data.LongLength != tensor.ByteCount)
            {
                throw new ArgumentException($"tensor {name} has {t.Data.LongLength} bytes in weights version {Version}, not {tensor.ByteCount}", nameof(model));
            }
        }
        using var noGrad = NoGradScope.Enter();
        foreach (var (name, tensor) in parameters)
        {
            TensorBytes t = byName[name];
            using var scope = new DisposeScope();
            tensor.CopyInPlace(Torch.FromBytes(t.Data, t.DType, t.Shape, tensor.Device));
        }
    }

    /// <summary>Total bytes of the tensors' data.</summary>
    public long ByteCount => Tensors.Sum(t => t.Data.LongLength);

    /// <summary>SHA-256 (lower-case hex) over every tensor's name, dtype, shape and bytes in order; computed once, on first use.</summary>
    public string Sha256 => sha256 ??= Hash(Tensors);

    /// <summary>Equal versions and equal contents.</summary>
    public bool Equals(WeightsSnapshot? other) =>
        other is not null && (ReferenceEquals(this, other) || (Version == other.Version && Sha256 == other.Sha256));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Version, Sha256);

    private static string Hash(IReadOnlyList<TensorBytes> tensors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var number = new byte[8];
        void Add(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(number, value);
            hash.AppendData(number);
        }
        foreach (TensorBytes t in tensors)
        {
            byte[] name = Encoding.UTF8.GetBytes(t.Name);
            Add(name.Length);
            hash.AppendData(name);
            Add((long)t.DType);
            Add(t.Shape.Length);
            foreach (long d in t.Shape) Add(d);
            Add(t.Data.LongLength);
            hash.AppendData(t.Data);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
