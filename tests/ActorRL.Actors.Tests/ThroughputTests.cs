namespace ActorRL.Actors.Tests;

public class ThroughputTests
{
    private sealed record Tally(int Distinct, int Duplicates, int OutOfRange);

    private sealed record GetTally;

    /// <summary>Marks each id it receives; reports how many distinct ids, duplicates and strays it saw.</summary>
    private sealed class Counter : ReceiveActor
    {
        private readonly bool[] seen;
        private int distinct;
        private int duplicates;
        private int outOfRange;

        public Counter(int ids)
        {
            seen = new bool[ids];
            Receive<int>(id =>
            {
                if ((uint)id >= (uint)seen.Length) outOfRange++;
                else if (seen[id]) duplicates++;
                else
                {
                    seen[id] = true;
                    distinct++;
                }
            });
            Receive<GetTally>(_ => Sender.Tell(new Tally(distinct, duplicates, outOfRange)));
        }
    }

    [Fact]
    public async Task AMillionMessagesAcrossAHundredActorsArriveExactlyOnce()
    {
        const int actors = 100;
        const int idsPerActor = 10_000;
        const int senders = 4;
        await using var system = ActorSystem.Create("million");
        var counters = Enumerable.Range(0, actors)
            .Select(i => system.ActorOf(Props.Create(() => new Counter(idsPerActor)), $"counter-{i}"))
            .ToArray();

        // Each sender owns a quarter of the ids and interleaves its sends across all actors.
        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Factory.StartNew(() =>
        {
            for (int id = s; id < idsPerActor; id += senders)
            {
                foreach (IActorRef counter in counters) counter.Tell(id);
            }
        }, TaskCreationOptions.LongRunning)));

        Tally[] tallies = await Task.WhenAll(counters.Select(c => c.Ask<Tally>(new GetTally(), TimeSpan.FromSeconds(30))));
        Assert.All(tallies, t => Assert.Equal(new Tally(idsPerActor, 0, 0), t));
        Assert.Equal(1_000_000, tallies.Sum(t => t.Distinct));
    }
}
