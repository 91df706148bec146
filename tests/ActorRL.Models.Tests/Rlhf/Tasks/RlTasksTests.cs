using ActorRL.Models.Rlhf.Tasks;

namespace ActorRL.Models.Tests.Rlhf.Tasks;

public class RlTasksTests
{
    [Fact]
    public void CreatesEachNamedTask()
    {
        Assert.Equal(["arithmetic", "reviews", "preferences"], RlTasks.Names);
        foreach (string name in RlTasks.Names) Assert.Equal(name, RlTasks.Create(name, seed: 1).Name);
        Assert.IsType<ArithmeticRlTask>(RlTasks.Create("arithmetic", 1));
        Assert.IsType<ReviewsRlTask>(RlTasks.Create("reviews", 1));
        Assert.IsType<PreferencesRlTask>(RlTasks.Create("preferences", 1));
    }

    [Fact]
    public void UnknownNameListsTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => RlTasks.Create("chess", 1));
        Assert.Contains("chess", error.Message);
        Assert.Contains("arithmetic, reviews, preferences", error.Message);
    }
}
