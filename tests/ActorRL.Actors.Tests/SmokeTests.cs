using ActorRL.Actors;

namespace ActorRL.Actors.Tests;

public class SmokeTests
{
    private sealed class Echo : ReceiveActor
    {
        public Echo()
        {
            Receive<string>(s => Sender.Tell("echo:" + s));
            ReceiveAsync<int>(async n => { await Task.Delay(10); Sender.Tell(n * 2); });
            Receive<Exception>(e => throw e);
        }
    }

    [Fact]
    public async Task AskRoundTripsAndRestartKeepsWorking()
    {
        await using var system = ActorSystem.Create("smoke");
        var echo = system.ActorOf(Props.Create<Echo>(), "echo");
        Assert.Equal("actorrl://smoke/user/echo", echo.Path.ToString());
        Assert.Equal("echo:hi", await echo.Ask<string>("hi", TimeSpan.FromSeconds(5)));
        Assert.Equal(42, await echo.Ask<int>(21, TimeSpan.FromSeconds(5)));
        echo.Tell(new InvalidOperationException("boom"));
        Assert.Equal("echo:again", await echo.Ask<string>("again", TimeSpan.FromSeconds(5)));
        Assert.True(await echo.GracefulStop(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<AskTimeoutException>(() => echo.Ask<string>("late", TimeSpan.FromMilliseconds(100)));
    }
}
