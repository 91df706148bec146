using ActorRL.Host.Cli;

namespace ActorRL.Host.Tests.Cli;

public sealed class TrainCommandTests
{
    [Theory]
    [InlineData("drto", new[] { "drto_temperature", "drto_ess", "loss" })]
    [InlineData("rcfd", new[] { "rcfd_alignment", "loss" })]
    [InlineData("ropo", new[] { "ropo_kept_fraction", "loss" })]
    [InlineData("ppo", new[] { "loss" })]
    public void TheReportPlotsTheObjectivesOwnCurves(string objective, string[] plots) =>
        Assert.Equal(plots, TrainCommand.PlotsFor(objective));
}
