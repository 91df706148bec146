using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Rlhf;

public class WeightsSnapshotTests
{
    [Fact]
    public void CaptureThenApplyMakesASecondModelComputeIdenticalLogits()
    {
        TorchRandom.ManualSeed(1);
        using var source = new CausalLM(FakeRlTask.TinyConfig, withValueHead: true);
        using var target = new CausalLM(FakeRlTask.TinyConfig, withValueHead: true);
        WeightsSnapshot snapshot = WeightsSnapshot.Capture(source, version: 5);
        Assert.Equal(5, snapshot.Version);
        Assert.Equal(source.ParameterCount * 4, snapshot.ByteCount);
        Assert.Equal(source.NamedParameters().Select(p => p.Name), snapshot.Tensors.Select(t => t.Name));

        using var scope = new DisposeScope();
        var ids = Torch.From<long>([1, 5, 9, 200, 3, 7], [2, 3]);
        Assert.NotEqual(source.Forward(ids).ToArray<float>(), target.Forward(ids).ToArray<float>());
        snapshot.ApplyTo(target);
        Assert.Equal(source.Forward(ids).ToArray<float>(), target.Forward(ids).ToArray<float>());
        Assert.Equal(source.ForwardWithValues(ids).Values.ToArray<float>(), target.ForwardWithValues(ids).Values.ToArray<float>());
        Assert.Equal(snapshot.Sha256, WeightsSnapshot.Capture(target, 5).Sha256);
        Assert.Equal(snapshot, WeightsSnapshot.Capture(target, 5));
    }

    [Fact]
    public void TheHashChangesWithAnyWeight()
    {
        TorchRandom.ManualSeed(2);
        using var model = new CausalLM(FakeRlTask.TinyConfig);
        string before = WeightsSnapshot.Capture(model, 0).Sha256;
        Assert.Matches("^[0-9a-f]{64}$", before);
        using (NoGradScope.Enter())
        using (new DisposeScope())
        {
            model.NamedParameters()[^1].Tensor.AddInPlace(Torch.Full([1], 1e-3));
        }
        Assert.NotEqual(before, WeightsSnapshot.Capture(model, 0).Sha256);
    }

    [Fact]
    public void AMismatchNamesTheTensorAndChangesNothing()
    {
        TorchRandom.ManualSeed(3);
        using var wide = new CausalLM(FakeRlTask.TinyConfig with { VocabSize = 261 });
        using var model = new CausalLM(FakeRlTask.TinyConfig);
        string before = WeightsSnapshot.Capture(model, 0).Sha256;
        var e = Assert.Throws<ArgumentException>(() => WeightsSnapshot.Capture(wide, 1).ApplyTo(model));
        Assert.Contains("transformer.wte.weight", e.Message);
        Assert.Contains("[261, 16]", e.Message);
        Assert.Equal(before, WeightsSnapshot.Capture(model, 0).Sha256);

        using var withHead = new CausalLM(FakeRlTask.TinyConfig, withValueHead: true);
        e = Assert.Throws<ArgumentException>(() => WeightsSnapshot.Capture(model, 1).ApplyTo(withHead));
        Assert.Contains("value_head", e.Message);
    }
}
