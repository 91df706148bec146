using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Checkpoints;

/// <summary>
/// Hugging Face's safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}</c>,
/// padded with spaces to a multiple of 8), then the raw little-endian row-major elements, every byte
/// belonging to exactly one tensor. Files written here load with <c>safetensors.torch.load_file</c>
/// and <c>transformers</c>; files from them load here. Tensors move through a bounded buffer, so a
/// multi-gigabyte tensor never needs a managed array of its size.
/// </summary>
public static class Safetensors
{
    /// <summary>The largest header the reference implementation accepts (100 MB); larger ones are refused.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    // Tensors larger than this move in slices of this size.
    private const int ChunkBytes = 8 << 20;

    private static readonly (string Name, ScalarType Type)[] DTypes =
    [
        ("BOOL", ScalarType.Bool), ("U8", ScalarType.Byte), ("I8", ScalarType.Int8), ("I16", ScalarType.Int16),
        ("I32", ScalarType.Int32), ("I64", ScalarType.Int64), ("F16", ScalarType.Float16), ("BF16", ScalarType.BFloat16),
        ("F32", ScalarType.Float32), ("F64", ScalarType.Float64),
    ];

    // Valid in the format, but with no libtorch 1.13 element type to hold them.
    private static readonly string[] UnsupportedDTypes = ["U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"];

    /// <summary>
    /// Writes <paramref name="tensors"/> to a new file at <paramref name="path"/> (replacing any file there)
    /// and flushes it to the disk. The write is not atomic: write into a temporary path and rename when
    /// readers must never see a partial file (as <see cref="Checkpoint.Save"/> does).
    /// </summary>
    /// <inheritdoc cref="Write(Stream, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?)"/>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(stream, tensors, metadata);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> in safetensors format to <paramref name="stream"/>, laid out in
    /// the order of their names' UTF-8 bytes. Tensors on a GPU are copied to the host slice by slice;
    /// non-contiguous tensors are written in their logical row-major order.
    /// </summary>
    /// <param name="stream">Where the bytes go, from its current position.</param>
    /// <param name="tensors">Tensors by name; no name may be empty or <c>__metadata__</c>.</param>
    /// <param name="metadata">Free-form string pairs stored under <c>__metadata__</c> (omitted when null).</param>
    /// <exception cref="ArgumentException">A name is reserved or empty; the message names it.</exception>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = new List<(byte[] Key, string Name, Tensor Tensor, ScalarType Type, string DType, long[] Shape, long Bytes)>(tensors.Count);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name) || name == MetadataKey)
            {
                throw new ArgumentException($"'{name}' cannot name a tensor in a safetensors file", nameof(tensors));
            }
            ArgumentNullException.ThrowIfNull(tensor, $"tensors[\"{name}\"]");
            ScalarType type = tensor.DType;
            entries.Add((Encoding.UTF8.GetBytes(name), name, tensor, type, DTypeName(type, name), tensor.Shape, tensor.ByteCount));
        }
        entries.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));

        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata is not null)
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var e in entries)
            {
                writer.WriteStartObject(e.Name);
                writer.WriteString("dtype", e.DType);
                writer.WriteStartArray("shape");
                foreach (long d in e.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + e.Bytes);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += e.Bytes;
            }
            writer.WriteEndObject();
        }
        int padding = (8 - json.WrittenCount % 8) % 8;
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)(json.WrittenCount + padding));
        stream.Write(prefix);
        stream.Write(json.WrittenSpan);
        for (int i = 0; i < padding; i++) stream.WriteByte((byte)' ');

        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            foreach (var e in entries) WriteElements(stream, e.Tensor, e.Type, e.Bytes, buffer);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads every tensor of the safetensors file at <paramref name="path"/> into host memory.</summary>
    /// <exception cref="InvalidDataException">The file breaks the format; the message names the file and, where
    /// one is at fault, the tensor.</exception>
    public static SafetensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return Read(stream, path);
    }

    /// <summary>
    /// Reads a safetensors image that fills <paramref name="stream"/> from its current position to its end
    /// (the stream must be seekable, so that its length is known).
    /// </summary>
    /// <param name="stream">A seekable stream positioned at the header length.</param>
    /// <param name="source">How error messages name the data (a path, a URL).</param>
    /// <exception cref="InvalidDataException">The data breaks the format; the message names the source and,
    /// where one is at fault, the tensor.</exception>
    public static SafetensorsFile Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        if (!stream.CanSeek) throw new ArgumentException("the stream must be seekable so that its length is known", nameof(stream));
        long available = stream.Length - stream.Position;
        if (available < 8)
        {
            throw Invalid(source, $"truncated: {available} bytes, but a safetensors file starts with an 8-byte header length");
        }
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(available - 8))
        {
            throw Invalid(source, $"the header length {headerLength} goes beyond the end of the file ({available - 8} bytes follow the length field)");
        }
        if (headerLength > MaxHeaderBytes)
        {
            throw Invalid(source, $"the header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes");
        }
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var (entries, metadata) = ParseHeader(header, source);
        long bufferLength = available - 8 - (long)headerLength;
        CheckLayout(entries, bufferLength, source);

        var tensors = new Dictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            foreach (TensorEntry e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                tensors.Add(e.Name, ReadElements(stream, e, buffer, source));
            }
        }
        catch
        {
            foreach (Tensor t in tensors.Values) t.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new SafetensorsFile(source, tensors, metadata);
    }

    private sealed record TensorEntry(string Name, ScalarType Type, long[] Shape, long Begin, long End);

    private static string DTypeName(ScalarType type, string tensor)
    {
        foreach (var (name, t) in DTypes)
        {
            if (t == type) return name;
        }
        throw new ArgumentException($"tensor '{tensor}' has element type {type}, which safetensors cannot store");
    }

    private static (List<TensorEntry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] header, string source)
    {
        if (header.Length == 0 || header[0] != (byte)'{') throw Invalid(source, "the header does not start with '{'");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Invalid(source, $"the header is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var entries = new List<TensorEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                string name = property.Name;
                if (!seen.Add(name)) throw Invalid(source, $"'{name}' appears twice in the header");
                if (name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object) throw Invalid(source, "__metadata__ is not an object");
                    foreach (JsonProperty m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Invalid(source, $"__metadata__ value of '{m.Name}' is not a string");
                        if (!metadata.TryAdd(m.Name, m.Value.GetString()!)) throw Invalid(source, $"__metadata__ key '{m.Name}' appears twice");
                    }
                    continue;
                }
                entries.Add(ParseEntry(name, property.Value, source));
            }
            return (entries, metadata);
        }
    }

    private static TensorEntry ParseEntry(string name, JsonElement value, string source)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Invalid(source, $"tensor '{name}': the entry is not an object");
        if (!value.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String)
        {
            throw Invalid(source, $"tensor '{name}': no dtype string");
        }
        string dtypeName = dtype.GetString()!;
        ScalarType type = default;
        bool known = false;
        foreach (var (n, t) in DTypes)
        {
            if (n == dtypeName)
            {
                (type, known) = (t, true);
                break;
            }
        }
        if (!known)
        {
            throw Invalid(source, UnsupportedDTypes.Contains(dtypeName)
                ? $"tensor '{name}' has dtype {dtypeName}, which libtorch cannot hold (supported: {string.Join(", ", DTypes.Select(d => d.Name))})"
                : $"tensor '{name}' has unknown dtype '{dtypeName}'");
        }
        long[] shape = Integers(value, "shape", name, source);
        long[] offsets = Integers(value, "data_offsets", name, source);
        if (offsets.Length != 2) throw Invalid(source, $"tensor '{name}': data_offsets holds {offsets.Length} numbers, not [begin, end]");
        if (offsets[1] < offsets[0]) throw Invalid(source, $"tensor '{name}': data_offsets [{offsets[0]}, {offsets[1]}] end before they begin");
        long expected;
        try
        {
            expected = type.ElementSize();
            foreach (long d in shape) expected = checked(expected * d);
        }
        catch (OverflowException)
        {
            throw Invalid(source, $"tensor '{name}': shape [{string.Join(", ", shape)}] is too large");
        }
        if (offsets[1] - offsets[0] != expected)
        {
            throw Invalid(source, $"tensor '{name}': data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]} bytes, " +
                $"but shape [{string.Join(", ", shape)}] of {dtypeName} needs {expected}");
        }
        return new TensorEntry(name, type, shape, offsets[0], offsets[1]);
    }

    private static long[] Integers(JsonElement entry, string field, string tensor, string source)
    {
        if (!entry.TryGetProperty(field, out JsonElement array) || array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(source, $"tensor '{tensor}': no {field} array");
        }
        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0)
            {
                throw Invalid(source, $"tensor '{tensor}': {field}[{i}] is {item.GetRawText()}, not a non-negative integer");
            }
            values[i++] = v;
        }
        return values;
    }

    // Every byte of the data buffer belongs to exactly one tensor: no overlaps, holes or trailing bytes.
    private static void CheckLayout(List<TensorEntry> entries, long bufferLength, string source)
    {
        TensorEntry? previous = null;
        long position = 0;
        foreach (TensorEntry e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < position)
            {
                throw Invalid(source, $"tensor '{e.Name}' (bytes [{e.Begin}, {e.End})) overlaps tensor '{previous!.Name}' (bytes [{previous.Begin}, {previous.End}))");
            }
            if (e.Begin > position)
            {
                throw Invalid(source, $"bytes [{position}, {e.Begin}) of the data buffer belong to no tensor (a hole before tensor '{e.Name}')");
            }
            if (e.End > bufferLength)
            {
                throw Invalid(source, $"truncated: tensor '{e.Name}' ends at byte {e.End} of the data buffer, which holds only {bufferLength} bytes");
            }
            position = e.End;
            previous = e;
        }
        if (position < bufferLength)
        {
            throw Invalid(source, $"{bufferLength - position} trailing bytes follow the last tensor's data");
        }
    }

    private static void WriteElements(Stream stream, Tensor tensor, ScalarType type, long bytes, byte[] buffer)
    {
        if (bytes == 0) return;
        if (stream is IPooledBufferSink sink)
        {
            WritePooled(sink, tensor, type, bytes);
            return;
        }
        if (bytes <= buffer.Length)
        {
            tensor.CopyBytesTo(buffer.AsSpan(0, (int)bytes));
            stream.Write(buffer, 0, (int)bytes);
            return;
        }
        int elementSize = type.ElementSize();
        long perChunk = buffer.Length / elementSize;
        using var scope = new DisposeScope();
        Tensor flat = tensor.Detach().Contiguous().Reshape(-1);
        long count = flat.NumberOfElements;
        for (long start = 0; start < count; start += perChunk)
        {
            long n = Math.Min(perChunk, count - start);
            int size = (int)(n * elementSize);
            using (Tensor slice = flat.Narrow(0, start, n)) slice.CopyBytesTo(buffer.AsSpan(0, size));
            stream.Write(buffer, 0, size);
        }
    }

    // The same, into a fresh pooled buffer per chunk that the sink keeps (it hashes it on another thread).
    private static void WritePooled(IPooledBufferSink sink, Tensor tensor, ScalarType type, long bytes)
    {
        int elementSize = type.ElementSize();
        long perChunk = ChunkBytes / elementSize;
        using var scope = new DisposeScope();
        Tensor flat = bytes <= ChunkBytes ? tensor : tensor.Detach().Contiguous().Reshape(-1);
        long count = bytes / elementSize;
        for (long start = 0; start < count; start += perChunk)
        {
            long n = Math.Min(perChunk, count - start);
            int size = (int)(n * elementSize);
            byte[] chunk = ArrayPool<byte>.Shared.Rent(size);
            if (n == count) flat.CopyBytesTo(chunk.AsSpan(0, size));
            else
            {
                using Tensor slice = flat.Narrow(0, start, n);
                slice.CopyBytesTo(chunk.AsSpan(0, size));
            }
            sink.WritePooled(chunk, size);
        }
    }

    private static Tensor ReadElements(Stream stream, TensorEntry e, byte[] buffer, string source)
    {
        long bytes = e.End - e.Begin;
        if (bytes <= buffer.Length)
        {
            Span<byte> data = buffer.AsSpan(0, (int)bytes);
            Fill(stream, data, e, source);
            if (e.Type == ScalarType.Bool) CheckBooleans(data, 0, e, source);
            return Torch.FromBytes(data, e.Type, e.Shape);
        }
        int elementSize = e.Type.ElementSize();
        long perChunk = buffer.Length / elementSize;
        Tensor result = Torch.Zeros(e.Shape, e.Type);
        try
        {
            using var scope = new DisposeScope();
            Tensor flat = result.View(-1);
            long count = flat.NumberOfElements;
            for (long start = 0; start < count; start += perChunk)
            {
                long n = Math.Min(perChunk, count - start);
                Span<byte> data = buffer.AsSpan(0, (int)(n * elementSize));
                Fill(stream, data, e, source);
                if (e.Type == ScalarType.Bool) CheckBooleans(data, start, e, source);
                using Tensor part = Torch.FromBytes(data, e.Type, [n]);
                using Tensor target = flat.Narrow(0, start, n);
                target.CopyInPlace(part);
            }
        }
        catch
        {
            result.Dispose();
            throw;
        }
        return result;
    }

    private static void Fill(Stream stream, Span<byte> data, TensorEntry e, string source)
    {
        try
        {
            stream.ReadExactly(data);
        }
        catch (EndOfStreamException ex)
        {
            throw Invalid(source, $"truncated while reading tensor '{e.Name}' (the file shrank while it was read)", ex);
        }
    }

    // libtorch assumes a bool byte is 0 or 1; anything else would read as neither true nor false.
    private static void CheckBooleans(ReadOnlySpan<byte> data, long first, TensorEntry e, string source)
    {
        int bad = data.IndexOfAnyExcept((byte)0, (byte)1);
        if (bad >= 0) throw Invalid(source, $"tensor '{e.Name}' (BOOL) holds byte {data[bad]} at element {first + bad}; booleans are 0 or 1");
    }

    private static InvalidDataException Invalid(string source, string message, Exception? inner = null) =>
        new($"{source}: {message}", inner);
}
