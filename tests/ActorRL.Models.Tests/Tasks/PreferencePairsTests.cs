using System.Globalization;
using ActorRL.Models.Tasks;

namespace ActorRL.Models.Tests.Tasks;

public class PreferencePairsTests
{
    private static double Number(int prompt, string response) => double.Parse(response, CultureInfo.InvariantCulture);

    private static IReadOnlyList<IReadOnlyList<string>> DistinctPairs(int count, Random rng) =>
        [.. Enumerable.Range(0, count).Select(_ =>
        {
            int a = rng.Next(1000), b = a + 1 + rng.Next(1000);
            return (IReadOnlyList<string>)(rng.Next(2) == 0 ? [$"{a}", $"{b}"] : [$"{b}", $"{a}"]);
        })];

    [Fact]
    public void FlippedFractionIsTheNoiseRateAndFlippedPairsAreTheMislabelledOnes()
    {
        const double rho = 0.2;
        var pairs = PreferencePairs.Label(DistinctPairs(10_000, new Random(5)), Number, rho, new Random(11));
        Assert.Equal(10_000, pairs.Count);
        double fraction = pairs.Count(p => p.Flipped) / 10_000.0;
        Assert.InRange(fraction, rho - 4 * Math.Sqrt(rho * (1 - rho) / 10_000), rho + 4 * Math.Sqrt(rho * (1 - rho) / 10_000));
        foreach (var p in pairs)
        {
            Assert.Equal(Number(p.Prompt, p.Chosen), p.ChosenScore);
            Assert.Equal(Number(p.Prompt, p.Rejected), p.RejectedScore);
            Assert.Equal(p.Flipped, p.ChosenScore < p.RejectedScore);
        }
    }

    [Fact]
    public void NoNoiseFlipsNothing()
    {
        var pairs = PreferencePairs.Label(DistinctPairs(10_000, new Random(5)), Number, 0, new Random(11));
        Assert.All(pairs, p => Assert.True(!p.Flipped && p.ChosenScore > p.RejectedScore));
    }

    [Fact]
    public void PairsConsecutiveCandidatesAndSkipsTies()
    {
        IReadOnlyList<IReadOnlyList<string>> candidates = [["1", "3", "2", "2", "9"], ["5", "4"]];
        var pairs = PreferencePairs.Label(candidates, Number, 0, new Random(0));
        Assert.Equal(
            [new PreferencePair(0, "3", "1", 3, 1, false), new PreferencePair(1, "5", "4", 5, 4, false)],
            pairs);
    }

    [Fact]
    public void NoiseIsDeterministicBySeed()
    {
        var candidates = DistinctPairs(200, new Random(2));
        bool[] Flips(int seed) => [.. PreferencePairs.Label(candidates, Number, 0.3, new Random(seed)).Select(p => p.Flipped)];
        Assert.Equal(Flips(8), Flips(8));
        Assert.NotEqual(Flips(8), Flips(9));
    }

    [Fact]
    public void LabelsReviewsByGroundTruthSentimentTowardATarget()
    {
        IReadOnlyList<IReadOnlyList<string>> candidates =
        [
            ["the food was good.", "the food was awful."],
            ["great great great great", "the room was bad."],
        ];
        var pairs = PreferencePairs.Label(candidates, (_, text) => ReviewTask.GroundTruthScore(text, -1), 0, new Random(0));
        Assert.Equal("the food was awful.", pairs[0].Chosen); // target negative: −1 × (−2) = 2 beats −1
        Assert.Equal("the room was bad.", pairs[1].Chosen); // ungrammatical text scores −3
    }

    [Fact]
    public void FilterQualityByHand()
    {
        PreferencePair Pair(bool flipped) => new(0, "a", "b", 0, 1, flipped);
        var pairs = new[] { Pair(true), Pair(false), Pair(true), Pair(true), Pair(false) };
        // Dropped {0, 1, 3}: 2 of the 3 dropped are flipped; 2 of the 3 flipped are dropped.
        var quality = PreferencePairs.FilterQuality(pairs, new HashSet<int> { 0, 1, 3 });
        Assert.Equal(2.0 / 3, quality.Precision, 12);
        Assert.Equal(2.0 / 3, quality.Recall, 12);
        Assert.True(double.IsNaN(PreferencePairs.FilterQuality(pairs, new HashSet<int>()).Precision));
        Assert.Throws<ArgumentOutOfRangeException>(() => PreferencePairs.FilterQuality(pairs, new HashSet<int> { 5 }));
    }

    [Fact]
    public void WinRateByHandWithTies()
    {
        // Per prompt: 3 > 1 wins, 1 = 1 ties, 2 < 3 loses, 2 > 0 wins → (1 + 0.5 + 0 + 1) / 4.
        Assert.Equal(0.625, PreferencePairs.WinRate(["3", "1", "2", "2"], ["1", "1", "3", "0"], Number), 12);
        Assert.Throws<ArgumentException>(() => PreferencePairs.WinRate(["1"], ["1", "2"], Number));
    }
}
