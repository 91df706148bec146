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
    private readonly Queue<(Envelope Envelope, long Due)> overflow = new(); // see PostFromOwnTurn; touched only while running
    private readonly Lock systemLock = new();
    private readonly TimeSpan pushTimeout;
    private ActorCell? cell;
    private int status; // 0 idle, 1 scheduled or running
    private long taken; // user messages read from the channel so far
    private readonly bool countsLoad;
    private int queued; // user messages in the channel, kept only when countsLoad (routees)
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
            // SingleReader: its writes take no lock (the multi-reader channel locks on every write). It cannot
            // count, so HasWork peeks and routees keep their own count for Load.
            user = Channel.CreateUnbounded<Envelope>(new UnboundedChannelOptions { SingleReader = true });
        }
        countsLoad = options.CountsLoad;
    }

    /// <summary>Messages waiting, plus one while a message is being handled (for smallest-mailbox routing);
    /// counted only for mailboxes created with <see cref="MailboxOptions.CountsLoad"/>.</summary>
    public int Load => Volatile.Read(ref queued) + (processing ? 1 : 0);

    public void Attach(ActorCell owner) => cell = owner;

    /// <summary>Enqueues a user message; on a full bounded mailbox waits up to the push timeout.</summary>
    public bool Post(in Envelope envelope)
    {
        if (user.Writer.TryWrite(envelope))
        {
            if (countsLoad) Interlocked.Increment(ref queued);
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
        if (countsLoad) Interlocked.Increment(ref queued);
        Schedule();
        return true;
    }

    /// <summary>
    /// Enqueues a message the kernel gives the actor on its own turn (Terminated) behind every message queued now.
    /// Never blocks: on a full bounded mailbox only this turn could make room, so the message waits aside and
    /// is taken once the messages queued before it have been.
    /// </summary>
    public void PostFromOwnTurn(in Envelope envelope)
    {
        if (user.Writer.TryWrite(envelope))
        {
            if (countsLoad) Interlocked.Increment(ref queued);
            return; // the running turn takes it; no scheduling needed
        }
        overflow.Enqueue((envelope, taken + user.Reader.Count)); // bounded only: an unbounded write fails only once closed
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
        foreach (var (e, _) in overflow) rest.Add(e);
        overflow.Clear();
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
        if (overflow.TryPeek(out var waiting) && taken >= waiting.Due)
        {
            overflow.Dequeue();
            envelope = waiting.Envelope;
            return true;
        }
        if (user.Reader.TryRead(out envelope))
        {
            taken++;
            if (countsLoad) Interlocked.Decrement(ref queued);
            return true;
        }
        if (!overflow.TryDequeue(out waiting)) return false;
        envelope = waiting.Envelope;
        return true;
    }

    private bool HasWork(ActorCell c) =>
        !system.IsEmpty || (c.CanProcessUserMessages && (front.Count > 0 || overflow.Count > 0 || user.Reader.TryPeek(out _)));

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
                while (system.TryDequeue(out SystemMessage? sys)) c.HandleSystem(sys);
                if (!c.CanProcessUserMessages || budget-- <= 0 || !TryTakeUser(out Envelope envelope)) break;
                processing = true;
                await c.InvokeAsync(envelope).ConfigureAwait(false);
                processing = false;
            }
        }
        catch (Exception e)
        {
            // InvokeAsync and HandleSystem contain the actor's own exceptions; reaching here is a kernel bug.
            c.System.ReportKernelFault(c.Self, e);
        }
        finally
        {
            processing = false;
            // A full fence, not a release store: the queues must be read after "idle" is visible, or a sender that
            // enqueued meanwhile and saw "scheduled" (so did not schedule) is missed and its message strands.
            Interlocked.Exchange(ref status, 0);
            if (HasWork(c)) Schedule();
        }
    }
}
