using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Tensors;

public class RandomStateTests
{
    [Fact]
    public void SameSeedGivesSameSamples()
    {
        TorchRandom.ManualSeed(42);
        using var a = Torch.Randn([16]);
        TorchRandom.ManualSeed(42);
        using var b = Torch.Randn([16]);
        TorchRandom.ManualSeed(43);
        using var c = Torch.Randn([16]);
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
        Assert.NotEqual(a.ToArray<float>(), c.ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(Devices.All), MemberType = typeof(Devices))]
    public void RestoredStateReplaysTheSameStreamBitForBit(string device)
    {
        var dev = Device.Parse(device);
        TorchRandom.ManualSeed(9);
        using (Torch.Randn([5], device: dev)) { }
        byte[] saved = TorchRandom.GetState(dev);
        using var first = Torch.Randn([64], device: dev);
        using var firstDraws = Torch.Ones([8], device: dev).Multinomial(4);

        TorchRandom.ManualSeed(12345); // disturb, as a restarted process would start elsewhere
        using (Torch.Randn([7], device: dev)) { }
        TorchRandom.SetState(saved, dev);
        using var replay = Torch.Randn([64], device: dev);
        using var replayDraws = Torch.Ones([8], device: dev).Multinomial(4);

        Assert.Equal(first.ToArray<float>(), replay.ToArray<float>());
        Assert.Equal(firstDraws.ToArray<long>(), replayDraws.ToArray<long>());
    }

    [Fact]
    public void ACorruptStateIsRejectedWithLibtorchsMessage()
    {
        Assert.Throws<TorchException>(() => TorchRandom.SetState(new byte[3]));
    }
}
