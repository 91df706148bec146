using System.Text.Json.Nodes;
using ActorRL.Models.Objectives;

namespace ActorRL.Models.Tests.Objectives;

/// <summary>DRTO and RTO options bound from config: defaults, the size each set uses, and errors that name the option.</summary>
public class DrtoOptionsTests
{
    [Fact]
    public void DefaultsAreTheKlBallOfRadiusPointOne()
    {
        var options = (DrtoOptions)ObjectiveRegistry.Defaults("drto");
        Assert.Equal(DroSet.Kl, options.Set);
        Assert.Equal(0.1, options.Size);
        Assert.Equal(16, options.MaxSpanLength);
        Assert.Empty(options.SpanBoundaryTokens);
        Assert.Equal(0.05, options.Rto.Beta1);
        Assert.Equal(0.05, options.Rto.RewardClip);
        Assert.Equal(0.01, options.Rto.Beta2);
        Assert.Equal(10.0, options.Rto.SequenceRewardBound);
    }

    [Theory]
    [InlineData("""{"set": "chi_square", "radius": 0.3}""", DroSet.ChiSquare, 0.3)]
    [InlineData("""{"set": "kl_penalized", "temperature": 2.5, "radius": 0.7}""", DroSet.KlPenalized, 2.5)]
    [InlineData("""{"set": "cvar", "cvar_alpha": 0.1}""", DroSet.Cvar, 0.1)]
    [InlineData("""{"radius": 0}""", DroSet.Kl, 0.0)]
    public void BindPicksTheSizeOfTheChosenSet(string json, DroSet set, double size)
    {
        var options = (DrtoOptions)ObjectiveRegistry.Bind("drto", JsonNode.Parse(json));
        Assert.Equal(set, options.Set);
        Assert.Equal(size, options.Size);
    }

    [Fact]
    public void BindReadsTheSpanRule()
    {
        var options = (DrtoOptions)ObjectiveRegistry.Bind("drto", JsonNode.Parse("""{"span_boundary_tokens": [13, 198], "max_span_length": 32}"""));
        Assert.Equal([13, 198], options.SpanBoundaryTokens);
        Assert.Equal(32, options.MaxSpanLength);
    }

    [Theory]
    [InlineData("drto", """{"radius": -0.5}""", "Radius")]
    [InlineData("drto", """{"cvar_alpha": 0}""", "CvarAlpha")]
    [InlineData("drto", """{"cvar_alpha": 1.5}""", "CvarAlpha")]
    [InlineData("drto", """{"temperature": 0}""", "Temperature")]
    [InlineData("drto", """{"max_span_length": 0}""", "MaxSpanLength")]
    [InlineData("drto", """{"rto": {"beta1": -1}}""", "Beta1")]
    [InlineData("drto", """{"rto": {"ppo": {"clip_epsilon": 1.5}}}""", "ClipEpsilon")]
    [InlineData("drto", """{"radious": 0.2}""", "radious")]
    [InlineData("rto", """{"reward_clip": -0.1}""", "RewardClip")]
    [InlineData("rto", """{"beta2": -0.01}""", "Beta2")]
    [InlineData("rto", """{"sequence_reward_bound": 0}""", "SequenceRewardBound")]
    public void OutOfRangeOptionsAreRefusedByName(string objective, string json, string option)
    {
        var e = Assert.Throws<InvalidOptionException>(() => ObjectiveRegistry.Bind(objective, JsonNode.Parse(json)));
        Assert.Contains(option, e.Message);
    }
}
