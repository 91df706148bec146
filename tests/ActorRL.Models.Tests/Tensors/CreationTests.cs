using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Tensors;

public class CreationTests
{
    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void ManagedDataRoundTripsForEveryElementType(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();

        float[] floats = [1.5f, -2.25f, 3e-8f, float.MaxValue, 0f, -0f];
        var f = Torch.From<float>(floats, [2, 3], dev);
        Assert.Equal([2L, 3L], f.Shape);
        Assert.Equal(ScalarType.Float32, f.DType);
        Assert.Equal(dev.Type, f.Device.Type);
        Assert.Equal(floats, f.ToArray<float>());

        long[] longs = [long.MinValue, -1, 0, 1L << 40, long.MaxValue];
        Assert.Equal(longs, Torch.From<long>(longs, dev).ToArray<long>());

        bool[] bools = [true, false, false, true];
        var b = Torch.From<bool>(bools, [2, 2], dev);
        Assert.Equal(ScalarType.Bool, b.DType);
        Assert.Equal(bools, b.ToArray<bool>());

        BFloat16[] halves = [(BFloat16)1.0f, (BFloat16)(-0.5f), (BFloat16)3.140625f];
        var h = Torch.From<BFloat16>(halves, dev);
        Assert.Equal(ScalarType.BFloat16, h.DType);
        Assert.Equal(halves, h.ToArray<BFloat16>());
    }

    [Fact]
    public void BFloat16ConversionRoundsToNearestEvenLikeLibtorch()
    {
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1.0).
        // 1 + 3·2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: ties go to 1 + 2^-6.
        // 1 + 2^-8 + 2^-12 is above halfway: rounds up to 1 + 2^-7.
        float[] input = [1.00390625f, 1.01171875f, 1.004150390625f, -2.5f];
        float[] expected = [1.0f, 1.015625f, 1.0078125f, -2.5f];

        Assert.Equal(expected, input.Select(v => (float)(BFloat16)v).ToArray());
        using var t = Torch.From<float>(input);
        using var bf = t.To(ScalarType.BFloat16);
        using var back = bf.To(ScalarType.Float32);
        Assert.Equal(expected, back.ToArray<float>());
        Assert.Equal(input.Select(v => (BFloat16)v).ToArray(), bf.ToArray<BFloat16>());
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void FactoriesFillAsSpecified(string device)
    {
        var dev = Device.Parse(device);
        using var scope = new DisposeScope();
        Assert.Equal(new float[6], Torch.Zeros([2, 3], device: dev).ToArray<float>());
        Assert.Equal([1L, 1L, 1L], Torch.Ones([3], ScalarType.Int64, dev).ToArray<long>());
        Assert.Equal([2.5f, 2.5f], Torch.Full([2], 2.5, device: dev).ToArray<float>());
        Assert.Equal([7L, 7L], Torch.Full([2], 7, ScalarType.Int64, dev).ToArray<long>());
        Assert.Equal([0L, 1L, 2L, 3L], Torch.Arange(4, device: dev).ToArray<long>());
        Assert.Equal([1f, 1.5f, 2f, 2.5f], Torch.Arange(1, 3, 0.5, ScalarType.Float32, dev).ToArray<float>());
        Assert.Equal(3.0, Torch.Scalar(3.0f, dev).ToDouble());
        Assert.Empty(Torch.Scalar(3L).Shape);
    }

    [Fact]
    public void RandomFactoriesHaveTheRequestedShapeRangeAndMoments()
    {
        TorchRandom.ManualSeed(5);
        using var scope = new DisposeScope();
        var n = Torch.Randn([200, 100]);
        Assert.Equal([200L, 100L], n.Shape);
        // 20,000 standard normals: the mean is within 4 standard errors (4/sqrt(20000) = 0.028) of 0.
        Assert.InRange(n.Mean().ToDouble(), -0.028, 0.028);
        Assert.InRange(n.Std().ToDouble(), 0.97, 1.03);

        long[] ints = Torch.Randint(3, 9, [1000]).ToArray<long>();
        Assert.All(ints, v => Assert.InRange(v, 3, 8));
        Assert.Equal(6, ints.Distinct().Count());

        float[] u = Torch.Rand([1000]).ToArray<float>();
        Assert.All(u, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void DeviceNamesParseAndPrint()
    {
        Assert.Equal(Device.Cpu, Device.Parse("cpu"));
        Assert.Equal(new Device(DeviceType.Cuda, -1), Device.Parse("CUDA"));
        Assert.Equal(new Device(DeviceType.Cuda, 3), Device.Parse("cuda:3"));
        Assert.Equal("cuda:3", Device.Parse("cuda:3").ToString());
        Assert.Throws<FormatException>(() => Device.Parse("gpu"));
        Assert.Throws<FormatException>(() => Device.Parse("cuda:-1"));
    }

    [Fact]
    public void MovingToAMissingGpuFailsWithLibtorchsMessage()
    {
        if (Torch.CudaIsAvailable) return; // the CUDA path is covered by the device-parameterized tests
        using var t = Torch.Ones([2]);
        var e = Assert.Throws<TorchException>(() => t.To("cuda"));
        Assert.Contains("CUDA", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
