using ActorRL.Actors;

namespace ActorRL.Host.Bench.Actors;

/// <summary>
/// One producer (outside any actor) telling a ball to each of N counting <see cref="ReceiveActor"/>s
/// in turn; one unit is one ball to every counter, so N Tells.
/// </summary>
internal sealed class ActorFanOut : IThroughputWorkload
{
    private readonly ActorSystem system;
    private readonly IActorRef[] counters;

    public ActorFanOut(int consumers, int throughput)
    {
        system = BenchActorSystem.Create("bench-fanout", throughput);
        counters = new IActorRef[consumers];
        for (int i = 0; i < consumers; i++) counters[i] = system.ActorOf(Props.Create(() => new Counter()), $"counter-{i}");
    }

    public long MessagesPerUnit => counters.Length;

    public Task RunAsync(long units)
    {
        var counted = new Task[counters.Length];
        for (int i = 0; i < counters.Length; i++)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            counters[i].Tell(new Expect(units, done));
            counted[i] = done.Task;
        }
        for (long u = 0; u < units; u++)
        {
            foreach (IActorRef counter in counters) counter.Tell(Ball.Instance);
        }
        return Task.WhenAll(counted);
    }

    public ValueTask DisposeAsync() => BenchActorSystem.TerminateAsync(system);

    /// <summary>Tells a counter how many balls the batch brings and whom to tell when they are counted.</summary>
    private sealed record Expect(long Balls, TaskCompletionSource Done);

    private sealed class Counter : ReceiveActor
    {
        private long remaining;
        private TaskCompletionSource? done;

        public Counter()
        {
            Receive<Expect>(expect =>
            {
                remaining = expect.Balls;
                done = expect.Done;
            });
            Receive<Ball>(_ =>
            {
                if (--remaining == 0) done!.TrySetResult();
            });
        }
    }
}
