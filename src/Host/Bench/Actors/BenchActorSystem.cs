using ActorRL.Actors;
using ActorRL.Host.Cli;

namespace ActorRL.Host.Bench.Actors;

/// <summary>Creates the actor system of one measurement and terminates it afterwards, so that no actor outlives it.</summary>
internal static class BenchActorSystem
{
    private static readonly TimeSpan TerminateTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A system with no logging and the given messages per actor turn.</summary>
    public static ActorSystem Create(string name, int throughput) =>
        ActorSystem.Create(name, new ActorSystemOptions { Throughput = throughput });

    /// <summary>Terminates <paramref name="system"/> and waits for every actor to stop.</summary>
    /// <exception cref="CommandFailedException">The system did not terminate in time.</exception>
    public static async ValueTask TerminateAsync(ActorSystem system)
    {
        try
        {
            await system.Terminate().WaitAsync(TerminateTimeout);
        }
        catch (TimeoutException e)
        {
            throw new CommandFailedException($"actor system '{system.Name}' did not terminate within {TerminateTimeout.TotalSeconds:0} s", e);
        }
    }
}
