namespace ActorRL.Actors;

/// <summary>
/// Message handlers by type, in registration order: the first whose type the message is assignable to (and whose
/// predicate, if any, accepts it) handles it. Shared by <see cref="ReceiveActor"/> behaviors and persistent actors'
/// command and recovery handlers.
/// </summary>
internal sealed class HandlerTable
{
    private readonly List<(Type Type, Predicate<object>? When, Func<object, ValueTask> Handler)> handlers = [];

    /// <summary>A synchronous handler of <typeparamref name="T"/>.</summary>
    public void Add<T>(Action<T> handler, Predicate<T>? when = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ValueTask Run(object m)
        {
            handler((T)m);
            return ValueTask.CompletedTask;
        }
        handlers.Add((typeof(T), when is null ? null : m => when((T)m), Run));
    }

    /// <summary>An asynchronous handler of <typeparamref name="T"/>: its task is awaited within the message's turn.</summary>
    public void AddAsync<T>(Func<T, Task> handler, Predicate<T>? when = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        handlers.Add((typeof(T), when is null ? null : m => when((T)m), m => new ValueTask(handler((T)m))));
    }

    /// <summary>The handler of <paramref name="message"/>, or null when none matches.</summary>
    public Func<object, ValueTask>? Find(object message)
    {
        Type type = message.GetType();
        foreach (var (t, when, handler) in handlers)
        {
            if (t.IsAssignableFrom(type) && (when is null || when(message))) return handler;
        }
        return null;
    }
}
