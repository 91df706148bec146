using ActorRL.Actors;

namespace ActorRL.Host.Bench.Actors;

/// <summary>
/// Pairs of <see cref="ReceiveActor"/>s bouncing a ball: for a batch of n units the pinger sends n
/// balls and the ponger returns n, one at a time, so one unit is one round trip of two Tells.
/// </summary>
internal sealed class ActorPingPong : IThroughputWorkload
{
    private readonly ActorSystem system;
    private readonly (IActorRef Pinger, IActorRef Ponger)[] pairs;

    public ActorPingPong(int pairs, int throughput)
    {
        system = BenchActorSystem.Create("bench-pingpong", throughput);
        this.pairs = new (IActorRef, IActorRef)[pairs];
        for (int i = 0; i < pairs; i++)
        {
            this.pairs[i] = (
                system.ActorOf(Props.Create(() => new Pinger()), $"pinger-{i}"),
                system.ActorOf(Props.Create(() => new Ponger()), $"ponger-{i}"));
        }
    }

    public long MessagesPerUnit => 2L * pairs.Length;

    public Task RunAsync(long units)
    {
        var rallies = new Task[pairs.Length];
        for (int i = 0; i < pairs.Length; i++)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            pairs[i].Pinger.Tell(new Rally(units, pairs[i].Ponger, done));
            rallies[i] = done.Task;
        }
        return Task.WhenAll(rallies);
    }

    public ValueTask DisposeAsync() => BenchActorSystem.TerminateAsync(system);

    /// <summary>Asks a pinger to play <paramref name="RoundTrips"/> round trips with <paramref name="Partner"/>.</summary>
    private sealed record Rally(long RoundTrips, IActorRef Partner, TaskCompletionSource Done);

    private sealed class Pinger : ReceiveActor
    {
        private long remaining;
        private TaskCompletionSource? done;

        public Pinger()
        {
            Receive<Rally>(rally =>
            {
                remaining = rally.RoundTrips;
                done = rally.Done;
                rally.Partner.Tell(Ball.Instance, Self);
            });
            Receive<Ball>(ball =>
            {
                if (--remaining == 0) done!.TrySetResult();
                else Sender.Tell(ball, Self);
            });
        }
    }

    private sealed class Ponger : ReceiveActor
    {
        public Ponger() => Receive<Ball>(ball => Sender.Tell(ball, Self));
    }
}
