namespace ActorRL.Actors;

/// <summary>
/// An actor whose handlers are registered by message type, in its constructor or in
/// <see cref="IActorContext.Become"/>: <c>Receive&lt;T&gt;(...)</c> for synchronous handlers and
/// <c>ReceiveAsync&lt;T&gt;(...)</c> for asynchronous ones. The first matching handler wins.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private readonly Stack<HandlerTable> behaviors = new();
    private HandlerTable? building;

    /// <summary>Starts collecting the initial handlers.</summary>
    protected ReceiveActor()
    {
        building = new HandlerTable();
        behaviors.Push(building);
    }

    /// <summary>Handles messages of type <typeparamref name="T"/> (matching <paramref name="when"/>, if given).</summary>
    protected void Receive<T>(Action<T> handler, Predicate<T>? when = null) => Building().Add(handler, when);

    /// <summary>Handles messages of type <typeparamref name="T"/> asynchronously: the actor takes no
    /// other message until the returned task completes.</summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? when = null) => Building().AddAsync(handler, when);

    /// <summary>Handles any message not matched by an earlier handler.</summary>
    protected void ReceiveAny(Action<object> handler) => Building().Add(handler);

    internal void Become(Action configure, bool discardOld)
    {
        var next = new HandlerTable();
        building = next;
        try
        {
            configure();
        }
        finally
        {
            building = null;
        }
        if (discardOld && behaviors.Count > 0) behaviors.Pop();
        behaviors.Push(next);
    }

    internal void Unbecome()
    {
        if (behaviors.Count > 1) behaviors.Pop();
    }

    /// <inheritdoc/>
    protected internal sealed override ValueTask<bool> ReceiveAsync(object message)
    {
        building = null; // registration is over once the first message arrives
        Func<object, ValueTask>? handler = behaviors.Peek().Find(message);
        if (handler is null) return new ValueTask<bool>(false);
        ValueTask pending = handler(message);
        return pending.IsCompletedSuccessfully ? new ValueTask<bool>(true) : Await(pending);

        static async ValueTask<bool> Await(ValueTask t)
        {
            await t.ConfigureAwait(false);
            return true;
        }
    }

    private HandlerTable Building() => building ?? throw new InvalidOperationException(
        "handlers can be registered only in the constructor or inside Context.Become(...)");
}
