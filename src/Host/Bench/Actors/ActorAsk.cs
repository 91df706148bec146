using ActorRL.Actors;

namespace ActorRL.Host.Bench.Actors;

/// <summary>One <see cref="ActorRefExtensions.Ask{T}"/> to an echo actor per round trip.</summary>
internal sealed class ActorAsk : ILatencyWorkload
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ActorSystem system;
    private readonly IActorRef echo;

    public ActorAsk(int throughput)
    {
        system = BenchActorSystem.Create("bench-ask", throughput);
        echo = system.ActorOf(Props.Create(() => new Echo()), "echo");
    }

    public Task RoundTripAsync() => echo.Ask<Ball>(Ball.Instance, Timeout);

    public ValueTask DisposeAsync() => BenchActorSystem.TerminateAsync(system);

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<Ball>(ball => Sender.Tell(ball, Self));
    }
}
