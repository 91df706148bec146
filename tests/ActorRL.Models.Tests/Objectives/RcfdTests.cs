using ActorRL.Models.Objectives;

namespace ActorRL.Models.Tests.Objectives;

public class RcfdTests
{
    [Fact]
    public void RewardIsZeroWhenThePolicyMatchesTheDemonstration() =>
        Assert.Equal(0, Rcfd.Reward([1.5, -0.25, 42], [1.5, -0.25, 42]));

    [Fact]
    public void RewardByHand()
    {
        // −(1.5 − 0.5)² − (−1 − 1)² = −1 − 4 = −5: overshooting the demonstration costs as much as undershooting it.
        Assert.Equal(-5, Rcfd.Reward([1.5, -1], [0.5, 1]), 15);
        Assert.Equal(Rcfd.Reward([0.5], [1.5]), Rcfd.Reward([2.5], [1.5]));
    }

    // Three responses, two reward models ([B, M] row-major): policy (1, 10), (2, 13), (4, 11); demonstrations (1, 11) each.
    private static readonly double[] Policy = [1, 10, 2, 13, 4, 11];
    private static readonly double[] Demo = [1, 11, 1, 11, 1, 11];

    [Fact]
    public void BatchedRewardsWithoutWhiteningSumTheModels()
    {
        // Model 0: −(0)², −(1)², −(3)² = 0, −1, −9; model 1: −(−1)², −(2)², −(0)² = −1, −4, 0; sums −1, −5, −9.
        Assert.Equal([-1.0, -5, -9], Rcfd.Rewards(Policy, Demo, models: 2, whitenPerModel: false));
        for (int b = 0; b < 3; b++)
        {
            Assert.Equal(Rcfd.Reward(Policy.AsSpan(2 * b, 2), Demo.AsSpan(2 * b, 2)), Rcfd.Rewards(Policy, Demo, 2, false)[b]);
        }
    }

    [Fact]
    public void BatchedRewardsWhitenEachModelOverTheBatch()
    {
        // Model 0 terms (0, −1, −9): mean −10/3, biased variance ((10/3)² + (7/3)² + (17/3)²)/3 = 438/27 = 16.2222,
        //   whitened (0.827605888347284, 0.5793241218430989, −1.4069300101903826).
        // Model 1 terms (−1, −4, 0): mean −5/3, variance ((2/3)² + (7/3)² + (5/3)²)/3 = 78/27 = 2.8889,
        //   whitened (0.39223226959750457, −1.3728129435912657, 0.9805806739937614).
        // Sums (ε = 1e−8 in the square roots):
        double[] expected = [1.2198381579447886, -0.7934888217481668, -0.4263493361966212];

        double[] rewards = Rcfd.Rewards(Policy, Demo, models: 2);

        Assert.Equal(expected, rewards, (a, b) => Math.Abs(a - b) < 1e-12);
        // Whitened terms have zero mean, so their sum over the batch does too.
        Assert.Equal(0, rewards.Sum(), 1e-12);
        Assert.Equal(rewards, Rcfd.Rewards(Policy, Demo, 2, new RcfdOptions()));
    }

    [Fact]
    public void AConstantTermWhitensToZero()
    {
        // One response: every term equals its batch mean.
        Assert.Equal([0.0], Rcfd.Rewards([3.0, 7.0], [1.0, 2.0], models: 2));
        Assert.Throws<ArgumentException>(() => Rcfd.Rewards([1.0, 2, 3], [1.0, 2, 3], models: 2));
    }

    [Fact]
    public void LengthRewardIsMinusTheResponseLength()
    {
        Assert.Equal(-7, Rcfd.LengthReward(7));
        // Calibrated against a 5-token demonstration: −(−7 − (−5))² = −4.
        Assert.Equal(-4, Rcfd.Reward([Rcfd.LengthReward(7)], [Rcfd.LengthReward(5)]));
    }

    [Fact]
    public void KlPenalizedRewardByHand() =>
        // 1 − 0.1 · (−10 − (−12)) = 1 − 0.2 = 0.8.
        Assert.Equal(0.8, Rcfd.KlPenalizedReward(reward: 1, policyLogProb: -10, referenceLogProb: -12, beta: 0.1), 15);
}
