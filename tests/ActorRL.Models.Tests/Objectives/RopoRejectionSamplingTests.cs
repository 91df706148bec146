using ActorRL.Models.Objectives;

namespace ActorRL.Models.Tests.Objectives;

public class RopoRejectionSamplingTests
{
    private static readonly RopoOptions Options = new(); // β = 0.1, α = 14

    // Implicit rewards β · logratio = (0.1, −0.2, 0.3, 0.05): best #2, worst #1, Δ = 3 − (−2) = 5, βΔ = 0.5;
    // ℓ = (56/225)(−log σ(0.5) + 14 σ(−0.5)) = (56/225)(0.47407698418010663 + 14 · 0.3775406687981454) = 1.4335119797859197.
    private static readonly double[] LogRatios = [1.0, -2.0, 3.0, 0.5];
    private const double PairLoss = 1.4335119797859197;

    [Fact]
    public void PairsTheBestWithTheWorstByImplicitReward()
    {
        RopoRejectionSample sample = RopoRejectionSampling.ChoosePair(LogRatios, [], retainedLosses: [1.0, 2.0, 1.5], Options);

        Assert.Equal(2, sample.Chosen);
        Assert.Equal(1, sample.Rejected);
        Assert.Equal(5, sample.Margin, 15);
        Assert.Equal(PairLoss, sample.Loss, 13);
        // Median of (1.0, 1.5, 2.0) is 1.5 > 1.4335: accepted.
        Assert.True(sample.Accepted);
    }

    [Fact]
    public void RejectsAPairAtOrAboveTheRetainedMedian()
    {
        // Median of (1.0, 1.2, 1.4, 2.0) is 1.3 < 1.4335: rejected.
        Assert.False(RopoRejectionSampling.ChoosePair(LogRatios, [], retainedLosses: [1.0, 1.2, 1.4, 2.0], Options).Accepted);
        // Equal to the threshold is not below it.
        Assert.False(RopoRejectionSampling.ChoosePair(LogRatios, [], Ropo.Loss(5, Options), Options).Accepted);
        Assert.True(RopoRejectionSampling.ChoosePair(LogRatios, [], Ropo.Loss(5, Options) + 1e-12, Options).Accepted);
    }

    [Fact]
    public void RewardModelScoresAddWithTheirWeight()
    {
        double[] verifier = [0, 1, 0, 0];

        // w_R = 1: scores (0.1, 0.8, 0.3, 0.05): best #1, worst #3, Δ = −2 − 0.5 = −2.5, βΔ = −0.25;
        // ℓ = (56/225)(−log σ(−0.25) + 14 σ(0.25)) = (56/225)(0.8259394198788435 + 14 · 0.5621765008857981) = 2.1644399298119152.
        RopoRejectionSample withVerifier = RopoRejectionSampling.ChoosePair(LogRatios, verifier, 3.0, Options);
        Assert.Equal((1, 3), (withVerifier.Chosen, withVerifier.Rejected));
        Assert.Equal(-2.5, withVerifier.Margin, 15);
        Assert.Equal(2.1644399298119152, withVerifier.Loss, 13);
        Assert.True(withVerifier.Accepted);

        // w_R = 0.1: scores (0.1, −0.1, 0.3, 0.05): the implicit reward decides again, best #2, worst #1.
        RopoRejectionSample weak = RopoRejectionSampling.ChoosePair(LogRatios, verifier, 3.0, Options, new RopoSelectionOptions { RewardWeight = 0.1 });
        Assert.Equal((2, 1), (weak.Chosen, weak.Rejected));
        Assert.Equal([0.1, -0.1, 0.3, 0.05], RopoRejectionSampling.Scores(LogRatios, verifier, 0.1, new RopoSelectionOptions { RewardWeight = 0.1 }),
            (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void TiesPickTheLowestIndexAsBestAndTheHighestAsWorst()
    {
        RopoRejectionSample sample = RopoRejectionSampling.ChoosePair([0.5, 0.5, 0.5], [], 2.0, Options);

        Assert.Equal((0, 2), (sample.Chosen, sample.Rejected));
        // Δ = 0: ℓ = (56/225)(log 2 + 7) = 1.914738853828253 < 2.
        Assert.Equal(1.914738853828253, sample.Loss, 13);
        Assert.True(sample.Accepted);
    }

    [Fact]
    public void RefusesTooFewCandidatesAndMismatchedRewards()
    {
        Assert.Throws<ArgumentException>(() => RopoRejectionSampling.ChoosePair([1.0], [], 1.0, Options));
        Assert.Throws<ArgumentException>(() => RopoRejectionSampling.ChoosePair([1.0, 2.0], [1.0], 1.0, Options));
        Assert.Throws<InvalidOptionException>(() => new RopoSelectionOptions { ImplicitRewardWeight = 0, RewardWeight = 0 }.Validate());
    }
}
