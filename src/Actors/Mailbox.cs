using System.Collections.Concurrent;
using System.Threading.Channels;

namespace ActorRL.Actors;

/// <summary>A user message with its sender.</summary>
internal readonly record struct Envelope(object Message, IActorRef? Sender);

/// <summary>
/// An actor's queues and its scheduling state. User messages live in a <see cref="Channel{T}"/>
/// (unbounded, or bounded with back-pressure); system messages in a separate queue that is always
/// drained first. The mailbox runs its actor on the thread pool only while there is work, and never
/// on two threads at once: <see cref="status"/> is the "scheduled" flag.
/// </summary>
internal sealed class Mailbox : IThreadPoolWorkItem
{
    private readonly Channel<Envelope> user;
    private readonly ConcurrentQueue<SystemMessage> system = new();
    private readonly Queue<Envelope> front = new(); // unstashed messages; touched only while running
    private readonly Lock systemLock = new();
    private readonly TimeSpan pushTimeout;
    private ActorCell? cell;
    private int status; // 0 idle, 1 scheduled or running
    private bool systemClosed;
    private volatile bool processing;

    public Mailbox(MailboxOptions options)
    {
        if (options.Capacity is int capacity)
        {
            user = Channel.CreateBounded<Envelope>(new BoundedChannelOptions(capacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            pushTimeout = options.PushTimeout ?? TimeSpan.FromSeconds(10);
        }
        else
        {
            user = Channel.CreateUnbounded<Envelope>(new UnboundedChannelOptions { SingleReader = true });
        }
    }

    /// <summary>Messages waiting, plus one while a message is being handled (for smallest-mailbox routing).</summary>
    public int Load => user.Reader.Count + (processing ? 1 : 0);

    public void Attach(ActorCell owner) => cell = owner;

    /// <summary>Enqueues a user message; on a full bounded mailbox waits up to the push timeout.</summary>
    public bool Post(in Envelope envelope)
    {
        if (user.Writer.TryWrite(envelope))
        {
            Schedule();
            return true;
        }
        if (user.Reader.Completion.IsCompleted) return false;
        // Bounded and full: block this sender (back-pressure) until there is room or the timeout passes.
        ValueTask<bool> room = user.Writer.WaitToWriteAsync();
        if (!room.IsCompleted && !room.AsTask().Wait(pushTimeout)) return false;
        return Post(envelope);
    }

    /// <summary>Enqueues a user message, waiting asynchronously for room in a bounded mailbox.</summary>
    public async ValueTask<bool> PostAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        try
        {
            await user.Writer.WriteAsync(envelope, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return false;
        }
        Schedule();
        return true;
    }

    /// <summary>Enqueues a system message; false once the actor has terminated.</summary>
    public bool PostSystem(SystemMessage message)
    {
        lock (systemLock)
        {
            if (systemClosed) return false;
            system.Enqueue(message);
        }
        Schedule();
        return true;
    }

    /// <summary>Refuses further messages; what is queued is handed back for dead letters.</summary>
    public List<Envelope> Close()
    {
        lock (systemLock) systemClosed = true;
        user.Writer.TryComplete();
        var rest = new List<Envelope>(front);
        front.Clear();
        while (user.Reader.TryRead(out Envelope e)) rest.Add(e);
        return rest;
    }

    /// <summary>Puts messages back at the front, before everything queued (Unstash).</summary>
    public void Prepend(List<Envelope> messages)
    {
        if (messages.Count == 0) return;
        Envelope[] rest = [.. front];
        front.Clear();
        foreach (Envelope e in messages) front.Enqueue(e);
        foreach (Envelope e in rest) front.Enqueue(e);
    }

    private bool TryTakeUser(out Envelope envelope)
    {
        if (front.TryDequeue(out envelope)) return true;
        return user.Reader.TryRead(out envelope);
    }

    private bool HasWork(ActorCell c) =>
        !system.IsEmpty || (c.CanProcessUserMessages && (front.Count > 0 || user.Reader.Count > 0));

    private void Schedule()
    {
        if (Interlocked.CompareExchange(ref status, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    private async Task RunAsync()
    {
        ActorCell c = cell!;
        try
        {
            int budget = c.System.Throughput;
            while (true)
            {
                while (system.TryDequeue(out SystemMessage? sys)) await c.HandleSystemAsync(sys).ConfigureAwait(false);
                if (!c.CanProcessUserMessages || budget-- <= 0 || !TryTakeUser(out Envelope envelope)) break;
                processing = true;
                await c.InvokeAsync(envelope).ConfigureAwait(false);
                processing = false;
            }
        }
        catch (Exception e)
        {
            // InvokeAsync and HandleSystemAsync contain the actor's own exceptions; reaching here is a kernel bug.
            c.System.ReportKernelFault(c.Self, e);
        }
        finally
        {
            processing = false;
            Volatile.Write(ref status, 0);
            if (HasWork(c)) Schedule();
        }
    }
}
