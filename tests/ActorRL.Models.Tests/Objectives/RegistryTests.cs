using System.Text.Json.Nodes;
using ActorRL.Models.Objectives;

namespace ActorRL.Models.Tests.Objectives;

public class RegistryTests
{
    [Fact]
    public void EveryNameResolvesToValidDefaultsThatNameTheirObjective()
    {
        Assert.Equal(["dpo", "drto", "ppo", "rcfd", "ropo", "rto"], ObjectiveRegistry.Names.Order());
        foreach (string name in ObjectiveRegistry.Names)
        {
            IObjectiveOptions defaults = ObjectiveRegistry.Defaults(name);
            Assert.Equal(name, defaults.Objective);
            Assert.IsType(ObjectiveRegistry.OptionsType(name), defaults);
            defaults.Validate();
            Assert.Equal(defaults, ObjectiveRegistry.Bind(name, null));
            Assert.Equal(defaults, ObjectiveRegistry.Bind(name, new JsonObject()));
        }
    }

    [Fact]
    public void DefaultsAreThoseOfObjectivesMd()
    {
        var ppo = (PpoOptions)ObjectiveRegistry.Defaults("ppo");
        Assert.Equal((0.2, 0.2, 1.0, 0.95, KlEstimator.K1), (ppo.ClipEpsilon, ppo.ValueClip, ppo.Gamma, ppo.Lambda, ppo.KlEstimator));
        var rto = (RtoOptions)ObjectiveRegistry.Defaults("rto");
        Assert.Equal((0.05, 0.05, 0.01, 10.0), (rto.Beta1, rto.RewardClip, rto.Beta2, rto.SequenceRewardBound));
        var rcfd = (RcfdOptions)ObjectiveRegistry.Defaults("rcfd");
        Assert.Equal((0.0, 0.3), (rcfd.Ppo.KlCoefficient, rcfd.Ppo.ClipEpsilon));
        var ropo = (RopoOptions)ObjectiveRegistry.Defaults("ropo");
        Assert.Equal((0.1, 14.0), (ropo.Beta, ropo.Alpha));
        var dpo = (DpoOptions)ObjectiveRegistry.Defaults("dpo");
        Assert.Equal((0.1, 0.0), (dpo.Beta, dpo.LabelSmoothing));
    }

    [Fact]
    public void BindReadsSnakeCaseOverridesAndKeepsTheOtherDefaults()
    {
        var ropo = (RopoOptions)ObjectiveRegistry.Bind("ropo", JsonNode.Parse("""{"alpha": 9, "noise_rate": 0.3}"""));
        Assert.Equal(new RopoOptions { Alpha = 9, NoiseRate = 0.3 }, ropo);

        var ppo = (PpoOptions)ObjectiveRegistry.Bind("ppo", JsonNode.Parse("""{"clip_epsilon": 0.1, "kl_estimator": "k3", "whiten_advantages": false}"""));
        Assert.Equal(new PpoOptions { ClipEpsilon = 0.1, KlEstimator = KlEstimator.K3, WhitenAdvantages = false }, ppo);

        var drto = (DrtoOptions)ObjectiveRegistry.Bind("drto", JsonNode.Parse(
            """{"set": "chi_square", "radius": 0.5, "span_boundary_tokens": [10, 13], "rto": {"beta1": 0.1, "ppo": {"lambda": 0.9}}}"""));
        Assert.Equal(DroSet.ChiSquare, drto.Set);
        Assert.Equal(0.5, drto.Size);
        Assert.Equal([10, 13], drto.SpanBoundaryTokens);
        Assert.Equal((0.1, 0.05, 0.9, 0.0), (drto.Rto.Beta1, drto.Rto.RewardClip, drto.Rto.Ppo.Lambda, drto.Rto.Ppo.KlCoefficient));
        Assert.Equal(16, drto.MaxSpanLength);

        // A nested options object that is given replaces only what it names: RCfD's own PPO defaults survive.
        var rcfd = (RcfdOptions)ObjectiveRegistry.Bind("rcfd", JsonNode.Parse("""{"ppo": {"entropy_coefficient": 0.01}}"""));
        Assert.Equal((0.01, 0.0, 0.3), (rcfd.Ppo.EntropyCoefficient, rcfd.Ppo.KlCoefficient, rcfd.Ppo.ClipEpsilon));
    }

    [Fact]
    public void AnUnknownOptionIsRefusedNamingIt()
    {
        var e = Assert.Throws<InvalidOptionException>(() => ObjectiveRegistry.Bind("ppo", JsonNode.Parse("""{"clip_epsilonn": 0.1}""")));
        Assert.Contains("clip_epsilonn", e.Message);
        var nested = Assert.Throws<InvalidOptionException>(() => ObjectiveRegistry.Bind("drto", JsonNode.Parse("""{"rto": {"beta3": 1}}""")));
        Assert.Contains("beta3", nested.Message);
    }

    [Fact]
    public void AMalformedValueIsRefusedNamingTheOption()
    {
        var e = Assert.Throws<InvalidOptionException>(() => ObjectiveRegistry.Bind("ropo", JsonNode.Parse("""{"alpha": "many"}""")));
        Assert.Equal("alpha", e.ParamName);
        var set = Assert.Throws<InvalidOptionException>(() => ObjectiveRegistry.Bind("drto", JsonNode.Parse("""{"set": "wasserstein"}""")));
        Assert.Equal("set", set.ParamName);
    }

    [Theory]
    [InlineData("ropo", """{"alpha": 2}""", "Alpha")]
    [InlineData("ropo", """{"alpha": 1.5}""", "Alpha")]
    [InlineData("ropo", """{"beta": 0}""", "Beta")]
    [InlineData("ropo", """{"noise_rate": 1}""", "NoiseRate")]
    [InlineData("ropo", """{"rejection_samples": 1}""", "RejectionSamples")]
    [InlineData("drto", """{"radius": -0.1}""", "Radius")]
    [InlineData("drto", """{"cvar_alpha": 0}""", "CvarAlpha")]
    [InlineData("drto", """{"cvar_alpha": 1.5}""", "CvarAlpha")]
    [InlineData("drto", """{"temperature": 0}""", "Temperature")]
    [InlineData("drto", """{"max_span_length": 0}""", "MaxSpanLength")]
    [InlineData("drto", """{"rto": {"ppo": {"clip_epsilon": 0}}}""", "ClipEpsilon")]
    [InlineData("ppo", """{"clip_epsilon": 0}""", "ClipEpsilon")]
    [InlineData("ppo", """{"clip_epsilon": 1}""", "ClipEpsilon")]
    [InlineData("ppo", """{"gamma": 1.01}""", "Gamma")]
    [InlineData("ppo", """{"lambda": -0.1}""", "Lambda")]
    [InlineData("ppo", """{"value_clip": -1}""", "ValueClip")]
    [InlineData("ppo", """{"kl_coefficient": -0.01}""", "KlCoefficient")]
    [InlineData("ppo", """{"entropy_coefficient": -1}""", "EntropyCoefficient")]
    [InlineData("ppo", """{"value_coefficient": -1}""", "ValueCoefficient")]
    [InlineData("rto", """{"beta1": -1}""", "Beta1")]
    [InlineData("rto", """{"reward_clip": -0.05}""", "RewardClip")]
    [InlineData("rto", """{"beta2": -0.01}""", "Beta2")]
    [InlineData("rto", """{"sequence_reward_bound": 0}""", "SequenceRewardBound")]
    [InlineData("rcfd", """{"alignment_bins": 1}""", "AlignmentBins")]
    [InlineData("rcfd", """{"ppo": {"gamma": 2}}""", "Gamma")]
    [InlineData("dpo", """{"label_smoothing": 0.5}""", "LabelSmoothing")]
    [InlineData("dpo", """{"label_smoothing": -0.1}""", "LabelSmoothing")]
    [InlineData("dpo", """{"beta": -0.1}""", "Beta")]
    public void AnOutOfRangeValueIsRefusedNamingTheOption(string objective, string json, string option)
    {
        var e = Assert.Throws<InvalidOptionException>(() => ObjectiveRegistry.Bind(objective, JsonNode.Parse(json)));
        Assert.Equal(option, e.ParamName);
        Assert.Contains($"'{option}'", e.Message);
    }

    [Fact]
    public void BoundaryValuesInsideTheRangesAreAccepted()
    {
        Assert.Equal(1.0, ((DrtoOptions)ObjectiveRegistry.Bind("drto", JsonNode.Parse("""{"cvar_alpha": 1}"""))).CvarAlpha);
        Assert.Equal(0.0, ((DrtoOptions)ObjectiveRegistry.Bind("drto", JsonNode.Parse("""{"radius": 0}"""))).Radius);
        Assert.Equal(2.001, ((RopoOptions)ObjectiveRegistry.Bind("ropo", JsonNode.Parse("""{"alpha": 2.001}"""))).Alpha);
        Assert.Equal(0.499, ((DpoOptions)ObjectiveRegistry.Bind("dpo", JsonNode.Parse("""{"label_smoothing": 0.499}"""))).LabelSmoothing);
    }

    [Fact]
    public void AnUnknownObjectiveIsRefusedListingTheKnownOnes()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => ObjectiveRegistry.Bind("grpo", null));
        Assert.Contains("'grpo'", e.Message);
        foreach (string name in ObjectiveRegistry.Names) Assert.Contains(name, e.Message);
        Assert.Throws<KeyNotFoundException>(() => ObjectiveRegistry.Defaults("PPO"));
    }
}
