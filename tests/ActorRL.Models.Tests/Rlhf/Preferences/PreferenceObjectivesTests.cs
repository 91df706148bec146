using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Tensors;
using ActorRL.Models.Tests.Rlhf.Stages;

namespace ActorRL.Models.Tests.Rlhf.Preferences;

public class PreferenceObjectivesTests
{
    private static readonly GptConfig Config = new(VocabSize: 260, ContextLength: 32, Layers: 1, Heads: 2, Width: 16);
    private const int Pad = 256;

    /// <summary>Four pairs of the fake task with their reference log-probabilities under <paramref name="reference"/>.</summary>
    private static IReadOnlyList<PreferenceSample> Samples(CausalLM reference) =>
        PreferenceScoring.Samples(reference, [.. new FakeTask().PreferencePairs(4, 0, 1)], Pad, batchSize: 3);

    private static CausalLM Model()
    {
        TorchRandom.ManualSeed(5);
        var model = new CausalLM(Config);
        model.Eval();
        return model;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void DpoOfAPolicyEqualToTheReferenceIsLog2(double labelSmoothing)
    {
        using CausalLM model = Model();
        IPreferenceObjective dpo = PreferenceObjectives.Create("dpo", new DpoOptions { Beta = 0.3, LabelSmoothing = labelSmoothing });
        using var scope = new DisposeScope();
        ObjectiveLoss result = dpo.Loss(model, Samples(model), Pad);

        // Δ = 0 for every pair: −(1−ε) log σ(0) − ε log σ(0) = ln 2 = 0.6931471805599453 whatever ε.
        Assert.Equal(0.6931471805599453, result.Loss.ToDouble(), 5);
        Assert.Equal(0.6931471805599453, result.Metrics["loss"], 5);
        Assert.Equal(0.0, result.Metrics["reward_margin"], 5);
        Assert.Equal(0.0, result.Metrics["reward_accuracy"]); // a tie counts as wrong
        Assert.True(result.Loss.RequiresGrad);
    }

    [Theory]
    [InlineData(14.0, 1.914738853828253)] // (56/225)(ln 2 + 7)
    [InlineData(3.0, 1.644860385419959)] // (12/16)(ln 2 + 1.5)
    public void RopoOfAPolicyEqualToTheReferenceIsTheScaledLog2PlusHalfAlpha(double alpha, double expected)
    {
        using CausalLM model = Model();
        IPreferenceObjective ropo = PreferenceObjectives.Create("ropo", new RopoOptions { Alpha = alpha });
        using var scope = new DisposeScope();
        ObjectiveLoss result = ropo.Loss(model, Samples(model), Pad);

        // Δ = 0: (4α/(1+α)²)(−log σ(0) + α σ(0)) = (4α/(1+α)²)(ln 2 + α/2).
        Assert.Equal(expected, result.Loss.ToDouble(), 5);
        Assert.Equal(expected, ropo.PairLoss(0), 12);
    }

    [Fact]
    public void WeightsAverageOverTheKeptPairsAndTheMetricsIgnoreTheDropped()
    {
        using CausalLM model = Model();
        IReadOnlyList<PreferenceSample> exact = Samples(model);
        // Shifting a reference log-probability shifts the margin: Δ = 2 (kept), 0 (kept), −4 (dropped), 0 (dropped).
        PreferenceSample[] batch =
        [
            exact[0] with { RefChosen = exact[0].RefChosen - 2 },
            exact[1],
            exact[2] with { RefChosen = exact[2].RefChosen + 4, Weight = 0 },
            exact[3] with { Weight = 0 },
        ];
        IPreferenceObjective dpo = PreferenceObjectives.Create("dpo", new DpoOptions { Beta = 0.5 });
        using var scope = new DisposeScope();
        ObjectiveLoss result = dpo.Loss(model, batch, Pad);

        // (−log σ(0.5·2) − log σ(0)) / 2 = (0.3132616875182228 + 0.6931471805599453) / 2.
        Assert.Equal(0.503204434039084, result.Loss.ToDouble(), 5);
        Assert.Equal(0.5, result.Metrics["reward_accuracy"]);
        Assert.Equal(0.5, result.Metrics["reward_margin"], 5); // β · mean(2, 0)
        Assert.Equal(0.5, result.Metrics["chosen_reward"], 5); // β · mean(2, 0) on the chosen side
        Assert.Equal(0.0, result.Metrics["rejected_reward"], 5);

        result.Loss.Backward();
        Assert.NotNull(model.Transformer.TokenEmbedding.Grad);
    }

    [Fact]
    public void CreateRefusesUnknownNamesAndForeignOptions()
    {
        Assert.Throws<KeyNotFoundException>(() => PreferenceObjectives.Create("ppo", new PpoOptions()));
        Assert.Throws<ArgumentException>(() => PreferenceObjectives.Create("ropo", new DpoOptions()));
        Assert.Throws<InvalidOptionException>(() => PreferenceObjectives.Create("ropo", new RopoOptions { Alpha = 2 }));
        Assert.True(PreferenceObjectives.IsPreference("dpo"));
        Assert.False(PreferenceObjectives.IsPreference("rto"));
    }
}
