namespace ActorRL.Actors;

/// <summary>
/// Publish/subscribe inside one actor system: a subscriber to a type receives every published
/// message assignable to it (subscribe to <see cref="DeadLetter"/>, <see cref="UnhandledMessage"/>,
/// or your own event types). Subscribers that stop are removed.
/// </summary>
public sealed class EventStream
{
    private readonly Lock gate = new();
    private (Type Channel, IActorRef Subscriber)[] subscriptions = [];

    /// <summary>Delivers messages of <paramref name="channel"/> (and its subtypes) to <paramref name="subscriber"/>.</summary>
    /// <returns>False when it was already subscribed to that channel.</returns>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        lock (gate)
        {
            if (Array.Exists(subscriptions, s => s.Channel == channel && s.Subscriber.Equals(subscriber))) return false;
            subscriptions = [.. subscriptions, (channel, subscriber)];
            return true;
        }
    }

    /// <summary>Delivers messages of <typeparamref name="T"/> to <paramref name="subscriber"/>.</summary>
    public bool Subscribe<T>(IActorRef subscriber) => Subscribe(subscriber, typeof(T));

    /// <summary>Stops delivering <paramref name="channel"/> to <paramref name="subscriber"/>.</summary>
    public bool Unsubscribe(IActorRef subscriber, Type channel)
    {
        lock (gate)
        {
            int before = subscriptions.Length;
            subscriptions = Array.FindAll(subscriptions, s => !(s.Channel == channel && s.Subscriber.Equals(subscriber)));
            return subscriptions.Length != before;
        }
    }

    /// <summary>Removes every subscription of <paramref name="subscriber"/>.</summary>
    public void UnsubscribeAll(IActorRef subscriber)
    {
        lock (gate) subscriptions = Array.FindAll(subscriptions, s => !s.Subscriber.Equals(subscriber));
    }

    /// <summary>Sends <paramref name="message"/> to every subscriber of a type it is assignable to.</summary>
    public void Publish(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Type type = message.GetType();
        foreach (var (channel, subscriber) in Volatile.Read(ref subscriptions))
        {
            if (channel.IsAssignableFrom(type)) subscriber.Tell(message);
        }
    }
}
