using ActorRL.Actors.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Tests;

public class HostingTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    [Fact]
    public async Task TheHostStartsTheActorsAndStopsThemWithTheSystem()
    {
        var journal = new Journal();
        var logs = new InMemoryLoggerProvider();
        IActorRef? worker = null;
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(logs);
        builder.Services.AddActorSystem("hosted", start: (system, services) =>
        {
            Assert.NotNull(services.GetService<ILoggerFactory>());
            worker = system.ActorOf(Worker.Props(journal), "worker");
        });
        using IHost host = builder.Build();
        var system = host.Services.GetRequiredService<ActorSystem>();
        Assert.Null(worker); // nothing starts before the host does

        await host.StartAsync().WaitAsync(Timeout);

        Assert.NotNull(worker);
        Assert.Equal("hello", await worker.Ask<string>("hello", Timeout));
        Assert.Same(host.Services.GetRequiredService<ILoggerFactory>(), system.LoggerFactory);

        await host.StopAsync().WaitAsync(Timeout);

        Assert.True(system.WhenTerminated.IsCompletedSuccessfully);
        Assert.Equal(1, journal.Count("PostStop worker"));

        // The system logged through the host's logging: a message to the stopped worker is a logged dead letter.
        worker.Tell("after the host stopped");
        Assert.Contains(logs.Entries, e => e.Category == "ActorRL.Actors.DeadLetters"
            && e.Message.Contains("actorrl://hosted/user/worker", StringComparison.Ordinal));
    }
}
