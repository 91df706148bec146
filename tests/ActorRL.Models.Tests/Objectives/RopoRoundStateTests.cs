using System.Text.Json;
using ActorRL.Models.Objectives;

namespace ActorRL.Models.Tests.Objectives;

public class RopoRoundStateTests
{
    private static readonly long[] Ids = [101, 102, 103, 104, 105, 106, 107, 108, 109, 110];
    private static readonly double[] Losses = [0.5, 2.0, 0.1, 3.0, 0.5, 1.0, 0.7, 2.5, 0.3, 0.9];

    [Fact]
    public void FilterKeepsTheLowestLossIdsAndTheirMedian()
    {
        RopoRoundState state = RopoRoundState.Filter(1, Ids, Losses, noiseRate: 0.25);

        // ⌈7.5⌉ = 8 kept; the two largest losses (#3: 3.0, #7: 2.5) are pairs 104 and 108.
        Assert.Equal(1, state.Round);
        Assert.Equal([101, 102, 103, 105, 106, 107, 109, 110], state.KeptPairIds);
        Assert.Equal([104, 108], state.DroppedPairIds);
        // Kept losses sorted: 0.1 0.3 0.5 0.5 | 0.7 0.9 1.0 2.0: median (0.5 + 0.7) / 2 = 0.6.
        Assert.Equal(0.6, state.AcceptanceThreshold, 15);
        Assert.Empty(state.AcceptedPairIds);
    }

    [Fact]
    public void AcceptedPairsJoinTheNextRound()
    {
        RopoRoundState state = RopoRoundState.Filter(2, Ids, Losses, noiseRate: 0.25, RopoKeepRounding.Floor).Accept(200).Accept(150);

        Assert.Equal([150, 200], state.AcceptedPairIds);
        Assert.Equal([101, 103, 105, 106, 107, 109, 110, 150, 200], state.NextRoundPairIds());
        Assert.Throws<ArgumentException>(() => state.Accept(150));
        Assert.Throws<ArgumentException>(() => state.Accept(101));
    }

    [Fact]
    public void SurvivesAJsonRoundTripAndComparesByValue()
    {
        RopoRoundState state = RopoRoundState.Filter(3, Ids, Losses, noiseRate: 0.25).Accept(777);

        string json = JsonSerializer.Serialize(state);
        RopoRoundState? back = JsonSerializer.Deserialize<RopoRoundState>(json);

        Assert.Equal(state, back);
        Assert.Equal(state.GetHashCode(), back!.GetHashCode());
        Assert.NotEqual(state, back with { AcceptedPairIds = [] });
    }

    [Fact]
    public void RefusesRepeatedIdsAndMismatchedLengths()
    {
        Assert.Throws<ArgumentException>(() => RopoRoundState.Filter(1, [1L, 1L], [0.1, 0.2], 0.2));
        Assert.Throws<ArgumentException>(() => RopoRoundState.Filter(1, [1L, 2L], [0.1], 0.2));
    }
}
