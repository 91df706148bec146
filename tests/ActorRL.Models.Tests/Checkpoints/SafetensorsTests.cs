using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Checkpoints;

public class SafetensorsTests
{
    private static readonly Dictionary<string, ScalarType> DTypes = new()
    {
        ["BOOL"] = ScalarType.Bool,
        ["U8"] = ScalarType.Byte,
        ["I8"] = ScalarType.Int8,
        ["I16"] = ScalarType.Int16,
        ["I32"] = ScalarType.Int32,
        ["I64"] = ScalarType.Int64,
        ["F16"] = ScalarType.Float16,
        ["BF16"] = ScalarType.BFloat16,
        ["F32"] = ScalarType.Float32,
        ["F64"] = ScalarType.Float64,
    };

    [Fact]
    public void PyTorchReadsWhatWeWriteInEveryDTypeAndShape()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("written.safetensors");
        float[] f32 = [1.5f, -2.25f, 3f, 0.1f, -0.0f, 1e-40f, float.PositiveInfinity, float.NaN];
        BFloat16[] bf16 = [(BFloat16)1f, (BFloat16)(-3.5f), (BFloat16)0.1f, (BFloat16)3e38f];
        long[] i64 = [long.MinValue, long.MaxValue, 0, 42];
        bool[] mask = [true, false, true, false, false, true];
        double[] f64 = [Math.PI, -1e-300];
        int[] i32 = [-7, int.MaxValue];
        Half[] f16 = [(Half)0.5f, (Half)(-65504f), (Half)6e-8f];
        byte[] u8 = [0, 255, 128];
        sbyte[] i8 = [-128, 127];
        short[] i16 = [short.MinValue, 12345];

        // Expected: the IEEE bit patterns (signed, as PyTorch's same-size integer view shows them) of
        // the values we put in, in row-major order.
        var expected = new Dictionary<string, (string DType, long[] Shape, long[] Bits)>
        {
            ["weight"] = ("F32", [2, 4], [.. f32.Select(v => (long)BitConverter.SingleToInt32Bits(v))]),
            ["bf16"] = ("BF16", [4], [.. bf16.Select(v => (long)(short)v.Bits)]),
            ["ids"] = ("I64", [4], i64),
            ["mask"] = ("BOOL", [2, 3], [.. mask.Select(v => v ? 1L : 0L)]),
            ["scalar"] = ("F32", [], [BitConverter.SingleToInt32Bits(2.5f)]),
            ["empty"] = ("F32", [0, 3], []),
            ["f64"] = ("F64", [2], [.. f64.Select(BitConverter.DoubleToInt64Bits)]),
            ["i32"] = ("I32", [2, 1], [.. i32.Select(v => (long)v)]),
            ["f16"] = ("F16", [3], [.. f16.Select(v => (long)BitConverter.HalfToInt16Bits(v))]),
            ["u8"] = ("U8", [3], [.. u8.Select(v => (long)v)]),
            ["i8"] = ("I8", [2], [.. i8.Select(v => (long)v)]),
            ["i16"] = ("I16", [2], [.. i16.Select(v => (long)v)]),
            ["transposed"] = ("I64", [3, 2], [0, 3, 1, 4, 2, 5]),
            ["ünï.wéight"] = ("F32", [1], [BitConverter.SingleToInt32Bits(-1f)]),
        };
        using (var scope = new DisposeScope())
        {
            var tensors = new Dictionary<string, Tensor>
            {
                ["weight"] = Torch.From<float>(f32, [2, 4]),
                ["bf16"] = Torch.From<BFloat16>(bf16),
                ["ids"] = Torch.From<long>(i64),
                ["mask"] = Torch.From<bool>(mask, [2, 3]),
                ["scalar"] = Torch.Scalar(2.5f),
                ["empty"] = Torch.Zeros([0, 3]),
                ["f64"] = Torch.From<double>(f64),
                ["i32"] = Torch.From<int>(i32, [2, 1]),
                ["f16"] = Torch.From<Half>(f16),
                ["u8"] = Torch.From<byte>(u8),
                ["i8"] = Torch.From<sbyte>(i8),
                ["i16"] = Torch.From<short>(i16),
                ["transposed"] = Torch.Arange(6).Reshape(2, 3).Transpose(0, 1),
                ["ünï.wéight"] = Torch.From<float>([-1f]),
            };
            Safetensors.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünï \"quoted\" <tag>" });
        }

        JsonNode answer = PyTorchReference.Run("safetensors_io.py", new JsonObject { ["mode"] = "read", ["path"] = path });

        JsonObject read = answer["tensors"]!.AsObject();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), read.Select(p => p.Key).Order(StringComparer.Ordinal));
        foreach (var (name, (dtype, shape, bits)) in expected)
        {
            JsonNode t = read[name]!;
            Assert.True(dtype == t["dtype"]!.GetValue<string>(), $"{name}: dtype {t["dtype"]}");
            Assert.True(shape.SequenceEqual(Longs(t["shape"])), $"{name}: shape {t["shape"]!.ToJsonString()}");
            Assert.True(bits.SequenceEqual(Longs(t["bits"])), $"{name}: bits {t["bits"]!.ToJsonString()} != [{string.Join(", ", bits)}]");
        }
        Assert.Equal("pt", answer["metadata"]!["format"]!.GetValue<string>());
        Assert.Equal("ünï \"quoted\" <tag>", answer["metadata"]!["note"]!.GetValue<string>());

        // Layout as the reference implementation writes it: a header padded with spaces to a multiple
        // of 8 bytes, tensors in the byte order of their UTF-8 names, nothing after the last one.
        long headerLength = answer["header_length"]!.GetValue<long>();
        string header = answer["header"]!.GetValue<string>();
        Assert.Equal(0, headerLength % 8);
        Assert.StartsWith("{", header);
        Assert.Equal(headerLength, Encoding.UTF8.GetByteCount(header));
        Assert.EndsWith("}", header.TrimEnd(' '));
        var byOffset = read.OrderBy(p => Longs(p.Value!["data_offsets"])[0]).ThenBy(p => Longs(p.Value!["data_offsets"])[1]).Select(p => p.Key).ToList();
        var byName = expected.Keys.OrderBy(k => Encoding.UTF8.GetBytes(k), Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToList();
        Assert.Equal(byName, byOffset);
        long end = read.Max(p => Longs(p.Value!["data_offsets"])[1]);
        Assert.Equal(8 + headerLength + end, new FileInfo(path).Length);
    }

    [Fact]
    public void WeReadWhatPyTorchWrites()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("from-python.safetensors");
        JsonNode answer = PyTorchReference.Run("safetensors_io.py", new JsonObject { ["mode"] = "write", ["path"] = path });

        using SafetensorsFile file = Safetensors.Read(path);

        JsonObject written = answer["tensors"]!.AsObject();
        Assert.Equal(written.Count, file.Tensors.Count);
        foreach (var (name, node) in written)
        {
            Tensor t = file[name];
            Assert.Equal(DTypes[node!["dtype"]!.GetValue<string>()], t.DType);
            Assert.Equal(Longs(node["shape"]), t.Shape);
            Assert.Equal(Device.Cpu, t.Device);
            Assert.True(Longs(node["bits"]).SequenceEqual(Bits(t)), $"{name}: [{string.Join(", ", Bits(t))}] != {node["bits"]!.ToJsonString()}");
        }
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("safetensors_io.py", file.Metadata["written_by"]);
        Assert.Equal(2, file.Metadata.Count);
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void LargeAndStridedTensorsRoundTripBitForBit(string device)
    {
        var dev = Device.Parse(device);
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("large.safetensors");
        TorchRandom.ManualSeed(7);
        using var scope = new DisposeScope();
        // Larger than the 8 MiB slices the reader and writer move, and not a multiple of them.
        var tensors = new Dictionary<string, Tensor>
        {
            ["big"] = Torch.Randn([3_000_001], device: dev),
            ["big.bf16"] = Torch.Randn([1500, 3001], device: dev).To(ScalarType.BFloat16),
            ["big.transposed"] = Torch.Randn([1501, 2000], device: dev).Transpose(0, 1),
            ["big.mask"] = Torch.Rand([9_000_007], device: dev).Gt(0.5),
            ["small"] = Torch.Randn([3, 5], device: dev),
        };

        Safetensors.Write(path, tensors);
        using SafetensorsFile file = Safetensors.Read(path);

        foreach (var (name, original) in tensors)
        {
            Tensor read = file[name];
            Assert.Equal(original.Shape, read.Shape);
            Assert.Equal(original.DType, read.DType);
            Assert.Equal(Device.Cpu, read.Device);
            Assert.True(Bytes(original).AsSpan().SequenceEqual(Bytes(read)), $"{name} differs after the round trip");
        }
        long payload = tensors.Values.Sum(t => t.ByteCount);
        Assert.True(new FileInfo(path).Length - payload is > 8 and < 1024, "the file holds the elements and a short header, nothing else");
    }

    [Fact]
    public void TheWriterRefusesTheReservedName()
    {
        using var t = Torch.Zeros([1]);
        var e = Assert.Throws<ArgumentException>(() => Safetensors.Write(Stream.Null, new Dictionary<string, Tensor> { ["__metadata__"] = t }));
        Assert.Contains("__metadata__", e.Message);
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},""", 8, "not valid JSON", "")]
    [InlineData("""{"w":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}}""", 8, "'w'", "unknown dtype 'F7'")]
    [InlineData("""{"w":{"dtype":"U32","shape":[2],"data_offsets":[0,8]}}""", 8, "'w'", "U32, which libtorch cannot hold")]
    [InlineData("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "'w'", "needs 12")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "'w'", "end before they begin")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "'w'", "shape[0]")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2]}}""", 8, "'w'", "data_offsets")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "'b'", "overlaps tensor 'a'")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}""", 20, "'b'", "belong to no tensor")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12, "4 trailing bytes", "")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 12, "'b'", "truncated")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "'a'", "twice")]
    [InlineData("""{"__metadata__":{"n":1},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4, "__metadata__", "'n' is not a string")]
    [InlineData("""[1, 2]""", 0, "does not start with '{'", "")]
    public void MalformedFilesAreRefusedNamingTheFileAndTensor(string header, int dataBytes, string fragment, string detail)
    {
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("bad.safetensors");
        WriteRaw(path, Encoding.UTF8.GetBytes(header), new byte[dataBytes]);

        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(path));

        Assert.Contains(path, e.Message);
        Assert.Contains(fragment, e.Message);
        Assert.Contains(detail, e.Message);
    }

    [Fact]
    public void AHeaderLengthBeyondTheFileIsRefused()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("bad.safetensors");
        byte[] header = Encoding.UTF8.GetBytes("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""");
        WriteRaw(path, header, new byte[4], declaredHeaderLength: 1000);

        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(path));

        Assert.Contains(path, e.Message);
        Assert.Contains($"header length 1000 goes beyond the end of the file ({header.Length + 4} bytes", e.Message);
    }

    [Fact]
    public void AFileShorterThanTheLengthFieldIsRefused()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("bad.safetensors");
        File.WriteAllBytes(path, [1, 0, 0, 0, 0]);

        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated: 5 bytes", e.Message);
    }

    [Fact]
    public void BooleansOtherThanZeroOrOneAreRefused()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("bad.safetensors");
        WriteRaw(path, Encoding.UTF8.GetBytes("""{"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}"""), [1, 0, 2]);

        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(path));

        Assert.Contains("'m'", e.Message);
        Assert.Contains("byte 2 at element 2", e.Message);
    }

    private static void WriteRaw(string path, byte[] header, byte[] data, ulong? declaredHeaderLength = null)
    {
        using var stream = File.Create(path);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, declaredHeaderLength ?? (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        stream.Write(data);
    }

    private static long[] Longs(JsonNode? node) => [.. node!.AsArray().Select(n => n!.GetValue<long>())];

    private static byte[] Bytes(Tensor t)
    {
        var bytes = new byte[t.ByteCount];
        t.CopyBytesTo(bytes);
        return bytes;
    }

    /// <summary>The elements as PyTorch's same-size integer view shows them.</summary>
    private static long[] Bits(Tensor t) => t.DType switch
    {
        ScalarType.Float32 => [.. t.ToArray<float>().Select(v => (long)BitConverter.SingleToInt32Bits(v))],
        ScalarType.Float64 => [.. t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits)],
        ScalarType.Float16 => [.. t.ToArray<Half>().Select(v => (long)BitConverter.HalfToInt16Bits(v))],
        ScalarType.BFloat16 => [.. t.ToArray<BFloat16>().Select(v => (long)(short)v.Bits)],
        ScalarType.Int64 => t.ToArray<long>(),
        ScalarType.Int32 => [.. t.ToArray<int>().Select(v => (long)v)],
        ScalarType.Int16 => [.. t.ToArray<short>().Select(v => (long)v)],
        ScalarType.Int8 => [.. t.ToArray<sbyte>().Select(v => (long)v)],
        ScalarType.Byte => [.. t.ToArray<byte>().Select(v => (long)v)],
        ScalarType.Bool => [.. t.ToArray<bool>().Select(v => v ? 1L : 0L)],
        _ => throw new NotSupportedException(t.DType.ToString()),
    };
}
