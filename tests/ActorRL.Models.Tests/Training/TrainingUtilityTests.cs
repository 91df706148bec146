using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;
using ActorRL.Models.Training;

namespace ActorRL.Models.Tests.Training;

public class TrainingUtilityTests
{
    [Fact]
    public void ScheduleWarmsUpLinearlyThenDecaysAlongACosine()
    {
        var s = new WarmupCosineSchedule(1.0, 0.1, WarmupSteps: 4, TotalSteps: 14);
        Assert.Equal([0.25, 0.5, 0.75, 1.0], Enumerable.Range(0, 4).Select(i => s.LearningRate(i)));
        Assert.Equal(1.0, s.LearningRate(4), 12);
        Assert.Equal(0.1 + 0.5 * (1 + Math.Cos(Math.PI * 0.5)) * 0.9, s.LearningRate(9), 12); // halfway: 0.55
        Assert.Equal(0.55, s.LearningRate(9), 12);
        Assert.Equal(0.1, s.LearningRate(14), 12);
        Assert.Equal(0.1, s.LearningRate(1000), 12);
        Assert.Throws<ArgumentException>(() => new WarmupCosineSchedule(1.0, 2.0, 1, 2).Validate());
    }

    [Fact]
    public void WeightMatricesDecayAndNormsAndBiasesDoNot()
    {
        using var model = new CausalLM(new GptConfig(20, 8, Layers: 1, Heads: 2, Width: 8), withValueHead: true);
        var groups = OptimizerGroups.DecayMatricesOnly(model, 1e-3, 0.1);
        var names = model.NamedParameters().ToDictionary(p => p.Tensor, p => p.Name);
        Assert.Equal(0.1, groups[0].WeightDecay);
        Assert.Equal(0.0, groups[1].WeightDecay);
        Assert.Equal(
            ["transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_proj.weight", "transformer.h.0.mlp.c_fc.weight",
             "transformer.h.0.mlp.c_proj.weight", "transformer.wpe.weight", "transformer.wte.weight", "value_head.weight"],
            groups[0].Parameters.Select(p => names[p]).Order());
        Assert.All(groups[1].Parameters, p => Assert.True(names[p].EndsWith(".bias", StringComparison.Ordinal) || names[p].Contains("ln_")));
        Assert.Equal(model.Parameters().Count, groups.Sum(g => g.Parameters.Count));
    }

    [Fact]
    public void ParameterNamesFollowNanoGptAndTheTiedHeadIsNotDuplicated()
    {
        using var model = new CausalLM(new GptConfig(20, 8, Layers: 2, Heads: 2, Width: 8));
        var names = model.NamedParameters().Select(p => p.Name).ToList();
        Assert.Equal(2 + 2 * 12 + 2, names.Count);
        Assert.Contains("transformer.h.1.ln_2.bias", names);
        Assert.DoesNotContain(names, n => n.Contains("lm_head"));
        // 20·8 + 8·8 embeddings; per block 2·2·8 norms + 8·24+24 + 8·8+8 + 8·32+32 + 32·8+8; final norm 16
        long perBlock = 32 + (8 * 24 + 24) + (8 * 8 + 8) + (8 * 32 + 32) + (32 * 8 + 8);
        Assert.Equal(20 * 8 + 8 * 8 + 2 * perBlock + 16, model.ParameterCount);
    }

    [Fact]
    public void SftLossCountsResponseTokensOnly()
    {
        var (ids, labels, mask) = SftTrainer.Collate([new SftExample([1, 2], [3]), new SftExample([4], [5, 6])], padId: 9, Device.Cpu);
        using (ids) using (labels) using (mask)
        {
            Assert.Equal([1L, 2, 3, 4, 5, 6], ids.ToArray<long>());
            Assert.Equal([-100L, -100, 3, -100, 5, 6], labels.ToArray<long>());
            Assert.Equal([1L, 1, 1, 1, 1, 1], mask.ToArray<long>());
        }
        var (ids2, labels2, mask2) = SftTrainer.Collate([new SftExample([1], [2]), new SftExample([3, 4], [5, 6])], padId: 9, Device.Cpu);
        using (ids2) using (labels2) using (mask2)
        {
            Assert.Equal([1L, 2, 9, 9, 3, 4, 5, 6], ids2.ToArray<long>());
            Assert.Equal([-100L, 2, -100, -100, -100, -100, 5, 6], labels2.ToArray<long>());
            Assert.Equal([1L, 1, 0, 0, 1, 1, 1, 1], mask2.ToArray<long>());
        }
    }

    [Fact]
    public void MicroBatchesGiveTheSameUpdateAsOneBatch()
    {
        var examples = Enumerable.Range(0, 8).Select(i => new SftExample([1, 2 + i % 3], Enumerable.Repeat(3 + i % 4, 1 + i % 3).ToArray())).ToList();
        float[] Train(int micro)
        {
            TorchRandom.ManualSeed(11);
            using var model = new CausalLM(new GptConfig(12, 8, Layers: 1, Heads: 2, Width: 8));
            using var trainer = new SftTrainer(model, new SftOptions { BatchSize = 8, MicroBatchSize = micro, Schedule = new(1e-2, 1e-3, 0, 10) }, padId: 0);
            trainer.TrainStep(examples);
            return model.Transformer.TokenEmbedding.ToArray<float>();
        }
        float[] whole = Train(8), split = Train(2);
        for (int i = 0; i < whole.Length; i++) Assert.Equal(whole[i], split[i], 1e-6);
    }
}
