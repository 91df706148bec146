namespace ActorRL.Actors;

/// <summary>Request/response and stopping on top of <see cref="IActorRef.Tell"/>.</summary>
public static class ActorRefExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> with a temporary sender and awaits the first reply.
    /// A <see cref="Status.Failure"/> reply rethrows its cause; a reply of another type than
    /// <typeparamref name="T"/> throws <see cref="InvalidCastException"/>.
    /// </summary>
    /// <exception cref="AskTimeoutException">No reply within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<T> Ask<T>(this IActorRef target, object message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        var promise = new PromiseActorRef(target.Path.Address);
        target.Tell(message, promise);
        object reply;
        try
        {
            reply = await promise.Reply.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new AskTimeoutException($"Ask to {target.Path} with {message.GetType().Name} got no reply within {timeout.TotalMilliseconds:0.###} ms");
        }
        return reply switch
        {
            // The failure is checked first so that Ask<object> rethrows it too; only Ask<Status.Failure> gets it as a value.
            Status.Failure failure when typeof(T) != typeof(Status.Failure) => throw failure.Cause,
            T value => value,
            _ => throw new InvalidCastException($"Ask to {target.Path} with {message.GetType().Name} expected a {typeof(T).Name} reply but got {reply.GetType().Name}"),
        };
    }

    /// <summary>Like Tell, but waits asynchronously (instead of blocking) while a bounded mailbox is full.</summary>
    public static ValueTask TellAsync(this IActorRef target, object message, IActorRef? sender = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target is LocalActorRef local) return local.TellAsync(message, sender, cancellationToken);
        target.Tell(message, sender);
        return ValueTask.CompletedTask;
    }

    /// <summary>Forwards <paramref name="message"/> keeping the current sender (for use inside an actor).</summary>
    public static void Forward(this IActorRef target, object message, IActorContext context) => target.Tell(message, context.Sender);

    /// <summary>
    /// Sends a <see cref="PoisonPill"/> (so queued messages are handled first) and waits until the actor
    /// and its children have stopped.
    /// </summary>
    /// <returns>True when it stopped within <paramref name="timeout"/>, false otherwise.</returns>
    public static async Task<bool> GracefulStop(this IActorRef target, TimeSpan timeout)
    {
        if (target is not IInternalActorRef internalRef) throw new ArgumentException($"{target} cannot be watched", nameof(target));
        var watcher = new PromiseActorRef(target.Path.Address);
        internalRef.SendSystemMessage(new Watch(internalRef, watcher));
        target.Tell(PoisonPill.Instance);
        try
        {
            await watcher.Stopped.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}

/// <summary>A one-shot ref that completes a task with the first message (Ask) or death notice (GracefulStop).</summary>
internal sealed class PromiseActorRef(Address address) : IInternalActorRef
{
    private static long counter;
    private readonly TaskCompletionSource<object> reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ActorPath Path { get; } = ActorPath.Root(address).Child("temp").Child("$" + Interlocked.Increment(ref counter));

    public long Uid => 0;

    public bool IsTerminated => reply.Task.IsCompleted;

    public Task<object> Reply => reply.Task;

    public Task Stopped => stopped.Task;

    public void Tell(object message, IActorRef? sender = null) => reply.TrySetResult(message);

    public void SendSystemMessage(SystemMessage message)
    {
        if (message is DeathWatchNotification) stopped.TrySetResult();
    }

    public bool Equals(IActorRef? other) => ReferenceEquals(this, other);

    public override string ToString() => Path.ToString();
}
