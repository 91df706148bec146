using ActorRL.Models.Objectives;
using ActorRL.Models.Rlhf;

namespace ActorRL.Models.Tests.Rlhf.Preferences;

public class RopoRoundsTests
{
    private static readonly PreferenceExample[] Pairs =
    [
        .. Enumerable.Range(0, 5).Select(i => new PreferenceExample(10 + i, 100 + i, [257, 97 + i], [1, i], [2, i], Flipped: i == 2)),
    ];

    // ℓ_ropo of each pair after round 1; ρ = 0.3 keeps ⌈0.7 · 5⌉ = ⌈3.5⌉ = 4: pair 12 (1.5) is dropped.
    private static readonly double[] Losses = [0.9, 0.2, 1.5, 0.4, 0.6];

    [Fact]
    public void StartRoundKeepsTheCeilingOfTheLowestLossPairs()
    {
        var rounds = new RopoRounds(new RopoOptions { NoiseRate = 0.3 }, Pairs);
        RopoRoundState state = rounds.StartRound(Losses);

        Assert.Equal([10, 11, 13, 14], state.KeptPairIds);
        Assert.Equal([12], state.DroppedPairIds);
        Assert.Equal([102], rounds.DroppedPromptIds);
        // Kept losses 0.2 0.4 | 0.6 0.9: median (0.4 + 0.6) / 2 = 0.5.
        Assert.Equal(0.5, state.AcceptanceThreshold, 15);
        IReadOnlyDictionary<string, double> metrics = rounds.Metrics();
        Assert.Equal(0.8, metrics["ropo_kept_fraction"], 15);
        Assert.Equal(1.0, metrics["ropo_dropped_flipped_fraction"]); // the one dropped pair is the flipped one
        Assert.Equal(0, metrics["ropo_accepted"]);
    }

    [Fact]
    public void ConsiderAcceptsOnlyAPairWhoseLossIsBelowTheRetainedMedian()
    {
        var rounds = new RopoRounds(new RopoOptions { NoiseRate = 0.3 }, Pairs); // β = 0.1, α = 14
        rounds.StartRound(Losses);
        const double NoReward = double.NaN;

        // Log-ratios 4, −6, 0: best 0, worst 1, Δ = 10, βΔ = 1:
        // (56/225)(−log σ(1) + 14 σ(−1)) = 1.0150787949115405 ≥ 0.5: rejected.
        Assert.Null(rounds.Consider(102, [([5], -1.0, -5.0, NoReward), ([6], -7.0, -1.0, NoReward), ([7], -3.0, -3.0, NoReward)]));

        // Log-ratios −10, 20, 5: best 1, worst 0, Δ = 30, βΔ = 3:
        // (56/225)(−log σ(3) + 14 σ(−3)) = 0.1773456722637418 < 0.5: accepted as a new pair (best, worst).
        PreferenceExample? pair = rounds.Consider(102, [([5], -12.0, -2.0, NoReward), ([6], -1.0, -21.0, NoReward), ([7], -3.0, -8.0, NoReward)]);
        Assert.NotNull(pair);
        Assert.Equal(15, pair.PairId); // above every id so far
        Assert.Equal(102, pair.PromptId);
        Assert.Equal([257, 99], pair.Prompt);
        Assert.Equal([6], pair.Chosen);
        Assert.Equal([5], pair.Rejected);
        Assert.False(pair.Flipped);
        Assert.Equal(1, rounds.Metrics()["ropo_accepted"]);

        Assert.Throws<ArgumentException>(() => rounds.Consider(102, [([5], 0.0, 0.0, NoReward), ([6], 1.0, 0.0, NoReward)]));
        Assert.Throws<ArgumentException>(() => rounds.Consider(101, [([5], 0.0, 0.0, NoReward), ([6], 1.0, 0.0, NoReward)]));

        Assert.Equal([10L, 11, 13, 14, 15], rounds.NextRound().Select(p => p.PairId));
        Assert.Equal(rounds.NextRound(), rounds.TrainingSet);
    }

    [Fact]
    public void ARewardModelsScoreJoinsTheImplicitReward()
    {
        var rounds = new RopoRounds(new RopoOptions { NoiseRate = 0.3 }, Pairs);
        rounds.StartRound(Losses);
        // Scores 0.1 · ratio + reward: 0.1·30 + 0 = 3, 0.1·0 + 10 = 10, 0.1·(−1) + 0 = −0.1: best 1 (ratio 0), worst 2
        // (ratio −1): Δ = 1, ℓ_ropo ≈ 1.81 ≥ 0.5: rejected although the log-ratios alone would have paired 0 with 2.
        Assert.Null(rounds.Consider(102, [([5], 30.0, 0.0, 0.0), ([6], 0.0, 0.0, 10.0), ([7], -1.0, 0.0, 0.0)]));
        Assert.Throws<ArgumentException>(() => rounds.Consider(102, [([5], 30.0, 0.0, 1.0), ([6], 0.0, 0.0, double.NaN)]));
    }

    [Fact]
    public void AContinuedRunCountsItsRoundsOnAndNeverReusesAnIdOfItsHistory()
    {
        // After 2 rounds, the run had given out ids up to 40 (a pair dropped later held it); the set holds ids 10..14.
        var rounds = new RopoRounds(new RopoOptions { NoiseRate = 0.3 }, Pairs, roundsDone: 2, nextPairId: 41);
        Assert.Equal(2, rounds.RoundsDone);
        Assert.Equal(3, rounds.StartRound(Losses).Round);
        PreferenceExample? pair = rounds.Consider(102, [([5], -12.0, -2.0, double.NaN), ([6], -1.0, -21.0, double.NaN)]);
        Assert.NotNull(pair);
        Assert.Equal(41, pair.PairId); // not 15: above every id of the run, not only of this set

        // A next id below the set's ids is raised above them.
        var low = new RopoRounds(new RopoOptions { NoiseRate = 0.3 }, Pairs, roundsDone: 1, nextPairId: 3);
        low.StartRound(Losses);
        Assert.Equal(15, low.Consider(102, [([5], -12.0, -2.0, double.NaN), ([6], -1.0, -21.0, double.NaN)])!.PairId);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RopoRounds(new RopoOptions(), Pairs, roundsDone: -1, nextPairId: 0));
    }
}
