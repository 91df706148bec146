using System.Text.Json;
using ActorRL.Models.Objectives;

namespace ActorRL.Models.Tests.Objectives;

public class RcfdDemoRewardCacheTests
{
    [Fact]
    public void ComputesEachPromptOnce()
    {
        var cache = new RcfdDemoRewardCache(models: 2);
        int calls = 0;
        double[] Score(long prompt)
        {
            calls++;
            return [prompt * 0.5, Rcfd.LengthReward(12)];
        }

        Assert.Equal([1.5, -12.0], cache.GetOrAdd(3, Score).ToArray());
        Assert.Equal([1.5, -12.0], cache.GetOrAdd(3, Score).ToArray());
        Assert.Equal([2.0, -12.0], cache.GetOrAdd(4, Score).ToArray());

        Assert.Equal(2, calls);
        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet(4, out ReadOnlySpan<double> cached));
        Assert.Equal(2.0, cached[0]);
        Assert.False(cache.TryGet(5, out _));
    }

    [Fact]
    public void RefusesAWrongCountAndASecondAdd()
    {
        var cache = new RcfdDemoRewardCache(models: 2);
        Assert.Throws<ArgumentException>(() => cache.Add(1, [1.0]));
        cache.Add(1, [1.0, 2.0]);
        Assert.Throws<ArgumentException>(() => cache.Add(1, [1.0, 2.0]));
    }

    [Fact]
    public void StateSurvivesAJsonRoundTrip()
    {
        var cache = new RcfdDemoRewardCache(models: 2);
        cache.Add(9, [0.25, -3]);
        cache.Add(2, [1.5, -7]);

        RcfdDemoRewardCacheState state = cache.ToState();
        Assert.Equal([2L, 9L], state.PromptIds);
        Assert.Equal([1.5, -7, 0.25, -3], state.Rewards);

        var back = JsonSerializer.Deserialize<RcfdDemoRewardCacheState>(JsonSerializer.Serialize(state))!;
        Assert.Equal(state, back);
        RcfdDemoRewardCache restored = RcfdDemoRewardCache.FromState(back);
        Assert.True(restored.TryGet(9, out ReadOnlySpan<double> rewards));
        Assert.Equal([0.25, -3.0], rewards.ToArray());
        Assert.Equal(state, restored.ToState());
    }
}
