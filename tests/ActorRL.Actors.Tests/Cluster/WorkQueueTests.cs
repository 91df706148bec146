using System.Collections.Concurrent;
using ActorRL.Actors.Cluster;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace ActorRL.Actors.Tests.Cluster;

[Collection(RabbitMqCollection.Name)]
public sealed class WorkQueueTests(RabbitMqServer broker) : IAsyncLifetime
{
    private readonly TestCluster nodes = new(broker);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await nodes.DisposeAsync();

    /// <summary>Records every delivery; acknowledges it at once, or holds it unacknowledged.</summary>
    private sealed class Worker : ReceiveActor
    {
        public Worker(string node, ConcurrentQueue<(string Node, long N, bool Redelivered)> seen, bool acknowledge)
        {
            Receive<WorkDelivered>(d =>
            {
                seen.Enqueue((node, ((Ping)d.Message).N, d.Redelivered));
                if (acknowledge) d.Receipt.Ack();
            });
        }
    }

    private static IEnumerable<object> Pings(int from, int count) => Enumerable.Range(from, count).Select(n => (object)new Ping { N = n });

    [Fact]
    public async Task EachMessageGoesToOneConsumerAndIsGoneOnceAcknowledged()
    {
        ClusterNode producer = await nodes.JoinAsync("producer");
        ClusterNode c1 = await nodes.JoinAsync("c1");
        ClusterNode c2 = await nodes.JoinAsync("c2");
        var seen = new ConcurrentQueue<(string Node, long N, bool Redelivered)>();
        await using WorkQueue queue = await WorkQueue.OpenAsync(producer, "rollouts");
        await using WorkQueue q1 = await WorkQueue.OpenAsync(c1, "rollouts");
        await using WorkQueue q2 = await WorkQueue.OpenAsync(c2, "rollouts");
        await q1.ConsumeAsync(nodes.System("c1").ActorOf(Props.Create(() => new Worker("c1", seen, true))), prefetch: 4);
        await q2.ConsumeAsync(nodes.System("c2").ActorOf(Props.Create(() => new Worker("c2", seen, true))), prefetch: 4);

        await queue.PublishAsync(Pings(0, 200));

        await Eventually.True(() => seen.Count >= 200, "200 deliveries");
        await Task.Delay(200); // a duplicate would show up here
        Assert.Equal(200, seen.Count);
        Assert.Equal(Enumerable.Range(0, 200).Select(n => (long)n), seen.Select(s => s.N).Order());
        Assert.All(seen, s => Assert.False(s.Redelivered));
        Assert.Contains(seen, s => s.Node == "c1");
        Assert.Contains(seen, s => s.Node == "c2");
        await Eventually.True(() => queue.CountAsync().Result == 0, "an empty queue");
    }

    [Fact]
    public async Task WhatADeadConsumerHeldUnacknowledgedIsRedeliveredToTheOthersAndNothingIsLost()
    {
        ClusterNode producer = await nodes.JoinAsync("producer");
        ClusterNode dying = await nodes.JoinAsync("dying");
        var seen = new ConcurrentQueue<(string Node, long N, bool Redelivered)>();
        await using WorkQueue queue = await WorkQueue.OpenAsync(producer, "rollouts");
        WorkQueue dyingQueue = await WorkQueue.OpenAsync(dying, "rollouts");
        // The dying node takes 8 messages and never acknowledges them.
        await dyingQueue.ConsumeAsync(nodes.System("dying").ActorOf(Props.Create(() => new Worker("dying", seen, false))), prefetch: 8);
        await queue.PublishAsync(Pings(0, 20));
        await Eventually.True(() => seen.Count == 8, "the dying node holds 8");
        long[] held = [.. seen.Select(s => s.N)];

        await dying.CrashAsync();
        ClusterNode survivor = await nodes.JoinAsync("survivor");
        await using WorkQueue survivorQueue = await WorkQueue.OpenAsync(survivor, "rollouts");
        await survivorQueue.ConsumeAsync(nodes.System("survivor").ActorOf(Props.Create(() => new Worker("survivor", seen, true))), prefetch: 4);

        await Eventually.True(() => seen.Count(s => s.Node == "survivor") >= 20, "the survivor gets all 20");
        var survived = seen.Where(s => s.Node == "survivor").ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(n => (long)n), survived.Select(s => s.N).Order());
        Assert.Equal(held.Order(), survived.Where(s => s.Redelivered).Select(s => s.N).Order());
        await Eventually.True(() => queue.CountAsync().Result == 0, "an empty queue");
    }

    [Fact]
    public async Task QueuedWorkSurvivesABrokerRestart()
    {
        ClusterNode producer = await nodes.JoinAsync("producer");
        WorkQueue queue = await WorkQueue.OpenAsync(producer, "rollouts");
        await queue.PublishAsync(Pings(0, 10));
        await broker.StopAsync();
        await broker.StartAsync();
        await queue.DisposeAsync();

        ClusterNode consumer = await nodes.JoinAsync("consumer");
        var seen = new ConcurrentQueue<(string Node, long N, bool Redelivered)>();
        await using WorkQueue consumed = await WorkQueue.OpenAsync(consumer, "rollouts");
        await consumed.ConsumeAsync(nodes.System("consumer").ActorOf(Props.Create(() => new Worker("consumer", seen, true))), prefetch: 10);
        await Eventually.True(() => seen.Count == 10, "the 10 messages queued before the restart");
        Assert.Equal(Enumerable.Range(0, 10).Select(n => (long)n), seen.Select(s => s.N));
    }

    [Fact]
    public async Task AnUnreadableMessageIsLoggedAndDroppedAndTheConsumerGoesOn()
    {
        ClusterNode consumer = await nodes.JoinAsync("consumer");
        var seen = new ConcurrentQueue<(string Node, long N, bool Redelivered)>();
        await using WorkQueue queue = await WorkQueue.OpenAsync(consumer, "rollouts");
        await using (IConnection connection = await broker.CreateConnectionFactory().CreateConnectionAsync())
        await using (IChannel channel = await connection.CreateChannelAsync())
        {
            await channel.BasicPublishAsync("", queue.Name, mandatory: false, new BasicProperties { Type = "wire:1" }, new byte[] { 0x08 });
            await channel.BasicPublishAsync("", queue.Name, mandatory: false, new BasicProperties { Type = "text/plain" }, new byte[] { 1 });
        }
        await queue.PublishAsync(new Ping { N = 5 });
        await queue.ConsumeAsync(nodes.System("consumer").ActorOf(Props.Create(() => new Worker("consumer", seen, true))), prefetch: 1);

        await Eventually.True(() => seen.Count == 1, "the good message");
        Assert.Equal(5, seen.Single().N);
        var dropped = nodes.Logs("consumer").Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("dropped a message of work queue", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, dropped.Count);
        Assert.Contains(dropped, e => e.Message.Contains("is not a valid ActorRL.Actors.Tests.Cluster.Ping", StringComparison.Ordinal));
        Assert.Contains(dropped, e => e.Message.Contains("unknown kind 'text/plain'", StringComparison.Ordinal));
        await Eventually.True(() => queue.CountAsync().Result == 0, "the unreadable ones are not requeued");
    }
}
