using ActorRL.Models.Objectives;

namespace ActorRL.Models.Tests.Objectives;

public class RopoSelectionTests
{
    // Sorted: 0.1 (#2), 0.3 (#8), 0.5 (#0), 0.5 (#4), 0.7 (#6), 0.9 (#9), 1.0 (#5), 2.0 (#1), 2.5 (#7), 3.0 (#3).
    private static readonly double[] Losses = [0.5, 2.0, 0.1, 3.0, 0.5, 1.0, 0.7, 2.5, 0.3, 0.9];

    [Theory]
    // (1 − 0.25) · 10 = 7.5: ⌈7.5⌉ = 8, ⌊7.5⌋ = 7.
    [InlineData(10, 0.25, RopoKeepRounding.Ceiling, 8)]
    [InlineData(10, 0.25, RopoKeepRounding.Floor, 7)]
    // (1 − 0.7) · 10 = 3.0000000000000004 in doubles: still 3 under either rounding.
    [InlineData(10, 0.7, RopoKeepRounding.Ceiling, 3)]
    [InlineData(10, 0.7, RopoKeepRounding.Floor, 3)]
    [InlineData(10, 0.2, RopoKeepRounding.Ceiling, 8)]
    [InlineData(3, 0.5, RopoKeepRounding.Ceiling, 2)]
    [InlineData(3, 0.5, RopoKeepRounding.Floor, 1)]
    [InlineData(1, 0.9, RopoKeepRounding.Ceiling, 1)]
    [InlineData(1, 0.9, RopoKeepRounding.Floor, 0)]
    [InlineData(7, 0, RopoKeepRounding.Floor, 7)]
    public void KeepCountRoundsAsAsked(int pairs, double noiseRate, RopoKeepRounding rounding, int expected) =>
        Assert.Equal(expected, RopoSelection.KeepCount(pairs, noiseRate, rounding));

    [Fact]
    public void KeepsTheLowestLossPairs()
    {
        // ⌈7.5⌉ = 8 kept: all but the two largest losses, 2.5 (#7) and 3.0 (#3).
        Assert.Equal([0, 1, 2, 4, 5, 6, 8, 9], RopoSelection.KeepLowestLoss(Losses, 0.25));
        // ⌊7.5⌋ = 7 kept: 2.0 (#1) goes too.
        Assert.Equal([0, 2, 4, 5, 6, 8, 9], RopoSelection.KeepLowestLoss(Losses, 0.25, RopoKeepRounding.Floor));
        Assert.Equal([1.0, 0, 1, 0, 1, 1, 1, 0, 1, 1], RopoSelection.Weights(Losses, 0.25, RopoKeepRounding.Floor));
    }

    [Fact]
    public void TiesAtTheBoundaryKeepTheLowerIndex()
    {
        // Keep 2 of 4: 0 (#3) and then one of three 1s: #0.
        Assert.Equal([0, 3], RopoSelection.KeepLowestLoss([1.0, 1.0, 1.0, 0.0], 0.5));
        // The 0.5 tie of the example: keeping 3 takes 0.1 (#2), 0.3 (#8) and #0 before #4.
        Assert.Equal([0, 2, 8], RopoSelection.KeepLowestLoss(Losses, 0.7));
    }

    [Fact]
    public void NaNLossesAreDroppedFirst() =>
        Assert.Equal([1, 2], RopoSelection.KeepLowestLoss([double.NaN, 5.0, double.PositiveInfinity], 1.0 / 3));

    [Fact]
    public void MedianByHand()
    {
        Assert.Equal(1.5, RopoSelection.Median([2.0, 1.0, 1.5]));
        Assert.Equal(1.3, RopoSelection.Median([2.0, 1.0, 1.4, 1.2]), 15);
        Assert.Throws<ArgumentException>(() => RopoSelection.Median([]));
    }
}
