using ActorRL.Actors.Cluster;
using ActorRL.Actors.Rlhf.Wire;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Rlhf.Cluster;

/// <summary>
/// A rollout node's side of a cluster run (<c>/user/rollout</c>): takes generation chunks off the durable queue one at
/// a time, has its local rollout worker generate them, puts the result on the results queue and only then acknowledges
/// the chunk. If the node dies first, the broker gives the chunk to another rollout node: nothing is lost, and the
/// coordinator drops a duplicate result by its request. Policy versions arrive through the weights broadcast; a chunk
/// that needs a newer version than the worker holds waits for it there.
/// </summary>
internal sealed class RolloutNode : ReceiveActor
{
    /// <summary>The actor's name under <c>/user</c>.</summary>
    public const string Name = "rollout";

    private readonly RlhfRunSettings settings;
    private readonly FaultInjector faults;
    private readonly ClusterNode node;
    private readonly Dictionary<long, (WorkReceipt Receipt, string ReplyTo)> working = [];
    private WorkQueue? generate, results;
    private WeightsSubscriber? weights;
    private IActorRef? worker;
    private RoleSetupInfo? workerSetup;
    private WeightsPublished? latest;
    private int incarnation;
    private bool tookFirst;

    public RolloutNode(RlhfRunSettings settings, FaultInjector faults, ClusterNode node)
    {
        this.settings = settings;
        this.faults = faults;
        this.node = node;
        ReceiveAsync<Start>(_ => StartAsync());
        ReceiveAsync<WorkDelivered>(OnWorkAsync);
        Receive<TopicVersion>(version =>
        {
            // A version the previous attempt's subscription delivered late is not this attempt's.
            if (version.Topic != weights?.Topic || latest is not null && version.Weights.Weights.Version <= latest.Weights.Version) return;
            latest = version.Weights;
            worker?.Tell(latest);
        });
        ReceiveAsync<RolloutsGenerated>(reply => ReplyAsync(reply));
        ReceiveAsync<RoleFailed>(async reply =>
        {
            // The worker is being restarted without weights: the next incarnation gets the current version first.
            if (latest is not null) worker?.Tell(latest);
            await ReplyAsync(reply);
        });
    }

    /// <summary>Started once the queues are open: consumption begins then.</summary>
    private sealed record Start;

    /// <summary>A verified policy version from the weights topic <paramref name="Topic"/>.</summary>
    private sealed record TopicVersion(string Topic, WeightsPublished Weights);

    protected internal override void PreStart() => Self.Tell(new Start());

    private async Task StartAsync()
    {
        generate = await WorkQueue.OpenAsync(node, RolloutQueues.GenerateQueue);
        results = await WorkQueue.OpenAsync(node, RolloutQueues.ResultsQueue);
        // One chunk at a time: a chunk waiting here is one no other rollout node can take.
        await generate.ConsumeAsync(Self, prefetch: 1);
    }

    private async Task OnWorkAsync(WorkDelivered delivered)
    {
        var work = (GenerationWork)delivered.Message;
        if (worker is null || work.WeightsTopic != weights?.Topic || !SameSetup(workerSetup!, work.Setup))
        {
            // A new run or attempt: a fresh worker, following the versions that attempt publishes (an attempt that
            // continues from a checkpoint publishes that checkpoint's version again, below what the last one reached).
            if (worker is not null) Context.Stop(worker);
            latest = null;
            if (weights is not null) await weights.DisposeAsync();
            IActorRef self = Self;
            WireRegistry wire = RlhfClusterWire.Create();
            string topic = work.WeightsTopic;
            weights = await WeightsSubscriber.CreateAsync(node, topic, version =>
            {
                if (wire.Deserialize(RlhfWire.Ids[typeof(WeightsPublished)], version.Bytes) is WeightsPublished published) self.Tell(new TopicVersion(topic, published));
            });
            var setup = new RoleSetup(settings, faults, work.Setup.StageDirs, null);
            worker = Context.ActorOf(Props.Create(() => new RolloutWorker(setup)), $"worker-{++incarnation}");
            workerSetup = work.Setup;
        }
        if (!tookFirst)
        {
            tookFirst = true;
            Context.Log.LogInformation("node {Node} took its first generation chunk (step {Step})", node.Settings.NodeName, work.Request.Step);
        }
        if (delivered.Redelivered)
        {
            Context.Log.LogInformation("node {Node} took over generation request {Request} of step {Step} from a node that left",
                node.Settings.NodeName, work.Request.RequestId, work.Request.Step);
        }
        working[work.Request.RequestId] = (delivered.Receipt, work.ReplyTo);
        worker.Tell(work.Request, Self);
    }

    private static bool SameSetup(RoleSetupInfo a, RoleSetupInfo b) =>
        a.ConfigSha256 == b.ConfigSha256 && a.StageDirs.Count == b.StageDirs.Count
        && a.StageDirs.All(kv => b.StageDirs.TryGetValue(kv.Key, out string? dir) && dir == kv.Value);

    // The result is on the durable results queue before the chunk is acknowledged: a crash in between repeats the
    // chunk elsewhere (a duplicate the coordinator drops) rather than losing it.
    private async Task ReplyAsync(RoleReply reply)
    {
        if (!working.Remove(reply.RequestId, out var work)) return;
        await results!.PublishAsync(new GenerationResult(work.ReplyTo, node.Settings.NodeName, reply));
        work.Receipt.Ack();
    }

    /// <summary>Rollout workers that throw are restarted; the chunk they failed on was answered with RoleFailed.</summary>
    public override SupervisorStrategy SupervisorStrategy { get; } = RoleSupervision.Strategy();

    protected internal override void PostStop()
    {
        // Unacknowledged chunks go back to the queue with the consumer's channel.
        generate?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        results?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        weights?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
