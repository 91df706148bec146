using System.Threading.Channels;

namespace ActorRL.Actors.Tests;

/// <summary>
/// An actor-backed inbox for tests: everything told to <see cref="Ref"/> is queued with its sender and
/// read back with <see cref="ExpectMsgAsync{T}(TimeSpan?)"/>. Expectations are async so that waiting
/// never blocks a thread-pool thread the actors need (the test machine has two cores).
/// </summary>
public sealed class TestProbe
{
    /// <summary>How long an expectation waits by default: generous, because the machine is noisy.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long <see cref="ExpectNoMsgAsync"/> listens by default.</summary>
    public static readonly TimeSpan DefaultNoMsgWindow = TimeSpan.FromMilliseconds(200);

    private readonly Channel<(object Message, IActorRef? Sender)> inbox = Channel.CreateUnbounded<(object, IActorRef?)>();

    public TestProbe(ActorSystem system, string? name = null)
    {
        Ref = system.ActorOf(Props.Create(() => new ProbeActor(inbox.Writer)), name);
    }

    /// <summary>The probe's actor: tell it messages, or use it as the sender of requests.</summary>
    public IActorRef Ref { get; }

    /// <summary>The sender of the last message taken by an expectation.</summary>
    public IActorRef? LastSender { get; private set; }

    /// <summary>Makes the probe's actor watch <paramref name="target"/>; returns once the watch is registered.</summary>
    public Task WatchAsync(IActorRef target) => Ref.Ask<Ack>(new WatchCommand(target, Watch: true), DefaultTimeout);

    /// <summary>Makes the probe's actor stop watching <paramref name="target"/>.</summary>
    public Task UnwatchAsync(IActorRef target) => Ref.Ask<Ack>(new WatchCommand(target, Watch: false), DefaultTimeout);

    /// <summary>The next message, which must be a <typeparamref name="T"/>.</summary>
    public async Task<T> ExpectMsgAsync<T>(TimeSpan? timeout = null)
    {
        object message = await NextAsync(timeout ?? DefaultTimeout, typeof(T).Name).ConfigureAwait(false);
        return message is T value
            ? value
            : throw new Xunit.Sdk.XunitException($"expected a {typeof(T).Name} but got {message.GetType().Name}: {message}");
    }

    /// <summary>The next message, which must equal <paramref name="expected"/>.</summary>
    public async Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null)
    {
        T actual = await ExpectMsgAsync<T>(timeout).ConfigureAwait(false);
        Assert.Equal(expected, actual);
        return actual;
    }

    /// <summary>Skips messages until one is a <typeparamref name="T"/> matching <paramref name="match"/>.</summary>
    public async Task<T> FishForMessageAsync<T>(Func<T, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            TimeSpan left = deadline - DateTime.UtcNow;
            object message = await NextAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, typeof(T).Name).ConfigureAwait(false);
            if (message is T value && match(value)) return value;
        }
    }

    /// <summary>A <see cref="Terminated"/> for <paramref name="actor"/> (the probe must be watching it).</summary>
    public async Task ExpectTerminatedAsync(IActorRef actor, TimeSpan? timeout = null)
    {
        Terminated t = await ExpectMsgAsync<Terminated>(timeout).ConfigureAwait(false);
        Assert.Equal(actor, t.ActorRef);
    }

    /// <summary>Fails when any message arrives within <paramref name="duration"/>.</summary>
    public async Task ExpectNoMsgAsync(TimeSpan? duration = null)
    {
        using var cts = new CancellationTokenSource(duration ?? DefaultNoMsgWindow);
        try
        {
            (object message, _) = await inbox.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
            throw new Xunit.Sdk.XunitException($"expected no message but got {message.GetType().Name}: {message}");
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }
    }

    /// <summary>Everything received so far, without waiting.</summary>
    public List<object> Drain()
    {
        var all = new List<object>();
        while (inbox.Reader.TryRead(out var item)) all.Add(item.Message);
        return all;
    }

    private async Task<object> NextAsync(TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            (object message, IActorRef? sender) = await inbox.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
            LastSender = sender;
            return message;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"expected a {what} within {timeout.TotalSeconds:0.###} s but got nothing");
        }
    }

    private sealed record Ack;

    private sealed record WatchCommand(IActorRef Target, bool Watch);

    /// <summary>Queues every message except its own watch commands.</summary>
    private sealed class ProbeActor(ChannelWriter<(object, IActorRef?)> inbox) : ActorBase
    {
        protected internal override ValueTask<bool> ReceiveAsync(object message)
        {
            if (message is WatchCommand command)
            {
                if (command.Watch) Context.Watch(command.Target);
                else Context.Unwatch(command.Target);
                Sender.Tell(new Ack());
            }
            else
            {
                inbox.TryWrite((message, Context.Sender));
            }
            return new ValueTask<bool>(true);
        }
    }
}
