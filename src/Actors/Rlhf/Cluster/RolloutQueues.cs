using ActorRL.Actors.Cluster;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Rlhf.Cluster;

/// <summary>
/// The broker side of a cluster run's generation: the durable queue of generation chunks every rollout node takes work
/// from, the durable queue their results come back on, and the broadcast of the policy's versions.
/// </summary>
internal sealed class RolloutQueues : IAsyncDisposable
{
    /// <summary>The work queue of generation chunks.</summary>
    public const string GenerateQueue = "generate";

    /// <summary>The work queue of finished chunks.</summary>
    public const string ResultsQueue = "results";

    private RolloutQueues(WorkQueue generate, WorkQueue results, WeightsPublisher weights)
    {
        Generate = generate;
        Results = results;
        Weights = weights;
    }

    public WorkQueue Generate { get; }

    public WorkQueue Results { get; }

    public WeightsPublisher Weights { get; }

    /// <summary>Opens the queues, and the publisher of the policy's versions on <paramref name="weightsTopic"/>, on the
    /// coordinator's node.</summary>
    public static async Task<RolloutQueues> OpenAsync(ClusterNode node, string weightsTopic, CancellationToken cancellationToken = default)
    {
        WorkQueue generate = await WorkQueue.OpenAsync(node, GenerateQueue, cancellationToken).ConfigureAwait(false);
        WorkQueue results = await WorkQueue.OpenAsync(node, ResultsQueue, cancellationToken).ConfigureAwait(false);
        int chunk = Math.Min(4 << 20, node.Settings.MaxMessageBytes - (64 << 10));
        WeightsPublisher weights = await WeightsPublisher.CreateAsync(node, weightsTopic, chunk, cancellationToken).ConfigureAwait(false);
        return new RolloutQueues(generate, results, weights);
    }

    /// <summary>Drops the work and results an earlier attempt of the run left queued: the attempt that continues from a
    /// checkpoint generates its steps again.</summary>
    public async Task PurgeAsync()
    {
        await Generate.PurgeAsync().ConfigureAwait(false);
        await Results.PurgeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Generate.DisposeAsync().ConfigureAwait(false);
        await Results.DisposeAsync().ConfigureAwait(false);
        await Weights.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A rollout slot of a cluster run: the coordinator's chunks go to the durable generation queue (any rollout
/// node takes them; their results come back through <see cref="ResultsRelay"/>), its weights to the policy broadcast.</summary>
internal sealed class RolloutQueueSlot : ReceiveActor
{
    public RolloutQueueSlot(RolloutQueues queues, IActorRef weights, RoleSetupInfo setup, string replyTo)
    {
        ReceiveAsync<RolloutRequested>(request => queues.Generate.PublishAsync(new GenerationWork(setup, request, replyTo, queues.Weights.Topic)));
        Receive<WeightsPublished>(published => weights.Tell(published));
    }
}

/// <summary>Publishes each policy version once on the broadcast, however many rollout slots pass it on.</summary>
internal sealed class WeightsRelay : ReceiveActor
{
    private long published = -1;

    public WeightsRelay(WeightsPublisher publisher, WireRegistry wire)
    {
        ReceiveAsync<WeightsPublished>(async message =>
        {
            if (message.Weights.Version <= published) return;
            (_, byte[] bytes) = wire.Serialize(message, int.MaxValue);
            await publisher.PublishAsync(message.Weights.Version, bytes);
            published = message.Weights.Version;
        });
    }
}

/// <summary>Takes finished chunks off the results queue and gives them to the coordinator they are for; results for
/// another coordinator (an earlier attempt's) are dropped.</summary>
internal sealed class ResultsRelay : ReceiveActor
{
    public ResultsRelay(IActorRef coordinator, string coordinatorPath)
    {
        Receive<WorkDelivered>(delivered =>
        {
            var result = (GenerationResult)delivered.Message;
            if (result.ReplyTo == coordinatorPath) coordinator.Tell(result.Reply);
            else Context.Log.LogDebug("dropped a result from {Node} for {Coordinator}", result.RolloutNode, result.ReplyTo);
            delivered.Receipt.Ack();
        });
    }
}
