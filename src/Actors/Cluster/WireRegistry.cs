using System.Collections.Concurrent;
using Google.Protobuf;

namespace ActorRL.Actors.Cluster;

/// <summary>
/// The message types that may cross between nodes, each a protobuf message under one stable numeric id. Sender and
/// receiver must register the same types under the same ids (register them at start-up, from one shared place). An id
/// read from the wire only ever selects a registered parser: nothing is deserialized by a type name from the wire.
/// Lookups and registration are safe from any thread.
/// <para>Messages that are plain records locally (the RLHF roles' messages) cross as a protobuf counterpart through a
/// mapping (<see cref="Map{TMessage, TWire}"/>): actors send and receive their own records on every node, and only the
/// wire sees the protobuf form.</para>
/// </summary>
public sealed class WireRegistry
{
    private readonly Lock registering = new();
    private readonly ConcurrentDictionary<uint, (Type Type, MessageParser Parser, Func<IMessage, object>? FromWire)> byId = new();
    private readonly ConcurrentDictionary<Type, uint> ids = new();
    private readonly ConcurrentDictionary<Type, Func<object, IMessage>> toWire = new();

    /// <summary>Registers <typeparamref name="T"/> under <paramref name="id"/>; returns this registry for chaining.</summary>
    /// <exception cref="ArgumentException">The id is 0 or already taken, or the type is already registered.</exception>
    public WireRegistry Register<T>(uint id) where T : IMessage<T>, new() => Add<T, T>(id, null, null);

    /// <summary>
    /// Registers <typeparamref name="TMessage"/>, which crosses the wire as the protobuf message <typeparamref name="TWire"/>
    /// under <paramref name="id"/>: <paramref name="toWire"/> converts it when sent, <paramref name="fromWire"/> back when
    /// received (throw <see cref="ArgumentException"/> or <see cref="FormatException"/> for values it cannot accept).
    /// </summary>
    /// <exception cref="ArgumentException">The id is 0 or already taken, or the type is already registered.</exception>
    public WireRegistry Map<TMessage, TWire>(uint id, Func<TMessage, TWire> toWire, Func<TWire, TMessage> fromWire)
        where TMessage : notnull where TWire : IMessage<TWire>, new()
    {
        ArgumentNullException.ThrowIfNull(toWire);
        ArgumentNullException.ThrowIfNull(fromWire);
        return Add<TMessage, TWire>(id, m => toWire((TMessage)m), w => fromWire((TWire)w));
    }

    private WireRegistry Add<TMessage, TWire>(uint id, Func<object, IMessage>? to, Func<IMessage, object>? from) where TWire : IMessage<TWire>, new()
    {
        if (id == 0) throw new ArgumentException($"the wire id of {typeof(TMessage).FullName} must be positive", nameof(id));
        lock (registering)
        {
            if (byId.TryGetValue(id, out var taken))
            {
                throw new ArgumentException($"wire id {id} is already registered (for {taken.Type.FullName}); ids must be unique", nameof(id));
            }
            if (ids.TryGetValue(typeof(TMessage), out uint existing))
            {
                throw new ArgumentException($"{typeof(TMessage).FullName} is already registered under wire id {existing}", nameof(id));
            }
            ids[typeof(TMessage)] = id;
            if (to is not null) toWire[typeof(TMessage)] = to;
            byId[id] = (typeof(TMessage), new MessageParser<TWire>(() => new TWire()), from);
        }
        return this;
    }

    /// <summary>Whether <paramref name="type"/> may cross the wire.</summary>
    public bool IsRegistered(Type type) => ids.ContainsKey(type);

    /// <summary>The id and bytes of <paramref name="message"/>.</summary>
    /// <param name="message">A registered message.</param>
    /// <param name="maxBytes">The largest payload accepted.</param>
    /// <exception cref="ArgumentException">The message's type is not registered.</exception>
    /// <exception cref="MessageTooLargeException">The serialized message exceeds <paramref name="maxBytes"/>.</exception>
    public (uint Id, byte[] Payload) Serialize(object message, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!ids.TryGetValue(message.GetType(), out uint id))
        {
            throw new ArgumentException(
                $"{message.GetType().FullName} is not registered for the wire: only protobuf messages registered with WireRegistry.Register<T>(id) can be sent to another node",
                nameof(message));
        }
        // Registered types are protobuf messages themselves, or mapped to one.
        IMessage protobuf = toWire.TryGetValue(message.GetType(), out var convert) ? convert(message) : (IMessage)message;
        int size = protobuf.CalculateSize();
        if (size > maxBytes) throw new MessageTooLargeException(message.GetType().FullName!, size, maxBytes);
        return (id, protobuf.ToByteArray());
    }

    /// <summary>The message of type <paramref name="id"/> in <paramref name="payload"/>.</summary>
    /// <exception cref="WireFormatException">The id is not registered, or the payload does not parse as its type.</exception>
    public object Deserialize(uint id, ReadOnlyMemory<byte> payload)
    {
        if (!byId.TryGetValue(id, out var entry)) throw new WireFormatException($"wire id {id} is not registered on this node");
        IMessage parsed;
        try
        {
            parsed = entry.Parser.ParseFrom(payload.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new WireFormatException($"the payload under wire id {id} ({payload.Length} bytes) is not a valid {entry.Type.FullName}: {e.Message}", e);
        }
        if (entry.FromWire is null) return parsed;
        try
        {
            return entry.FromWire(parsed);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or OverflowException)
        {
            throw new WireFormatException($"the payload under wire id {id} is not a valid {entry.Type.FullName}: {e.Message}", e);
        }
    }
}

/// <summary>A message is larger than the cluster's configured limit; it was not sent.</summary>
public sealed class MessageTooLargeException(string type, long bytes, long limit)
    : Exception($"{type} is {bytes} bytes, above the cluster's message limit of {limit} bytes (cluster.max_message_bytes): it was not sent")
{
    /// <summary>The message's type.</summary>
    public string MessageType { get; } = type;

    /// <summary>Its serialized size.</summary>
    public long Bytes { get; } = bytes;
}

/// <summary>Bytes from the wire that are not a message this node can read; they are logged and dropped.</summary>
public sealed class WireFormatException(string message, Exception? inner = null) : Exception(message, inner);
