using System.Text.Json.Nodes;
using ActorRL.Host.Configuration;

namespace ActorRL.Host.Tests.Configuration;

public class ResumeCompatibilityTests
{
    private static JsonObject Config(double lr = 1e-4, int width = 128, int steps = 40) => new()
    {
        ["model"] = new JsonObject { ["width"] = width },
        ["rl"] = new JsonObject { ["lr"] = lr, ["steps"] = steps },
        ["eval"] = new JsonObject { ["examples"] = 200 },
    };

    [Fact]
    public void TheLearningRateMayChangeAndIsReportedWhileTheModelsShapeMayNot()
    {
        Assert.Null(ResumeCompatibility.FirstConflict(Config(), Config(lr: 1e-5, steps: 80)));
        Assert.Equal([("rl.lr", "0.0001", "1E-05")], ResumeCompatibility.Retuned(Config(), Config(lr: 1e-5, steps: 80)));
        Assert.Empty(ResumeCompatibility.Retuned(Config(), Config(steps: 80)));

        Assert.Equal(("model.width", "128", "64"), ResumeCompatibility.FirstConflict(Config(), Config(lr: 1e-5, width: 64)));
        // A key present on one side only is a change too.
        JsonObject without = Config();
        without["rl"]!.AsObject().Remove("lr");
        Assert.Equal([("rl.lr", "(not set)", "0.0001")], ResumeCompatibility.Retuned(without, Config()));
    }
}
