using System.Collections.Concurrent;
using Google.Protobuf;

namespace ActorRL.Actors.Persistence;

/// <summary>
/// An <see cref="IEventSerializer"/> over a registry of protobuf message types, each under one stable manifest.
/// A manifest read from storage only ever selects a registered parser: no type is ever looked up by a name taken
/// from the wire. Register the types at start-up; lookups are safe from any thread (registration is too).
/// </summary>
public sealed class ProtobufEventSerializer : IEventSerializer
{
    private readonly Lock registering = new();
    private readonly ConcurrentDictionary<string, Func<byte[], object>> parsers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, string> manifests = new();

    /// <summary>Registers <typeparamref name="T"/> under <paramref name="manifest"/>; returns this serializer for chaining.</summary>
    /// <exception cref="ArgumentException">The manifest is blank or already taken, or the type is already registered.</exception>
    public ProtobufEventSerializer Register<T>(string manifest) where T : IMessage<T>, new()
    {
        if (string.IsNullOrWhiteSpace(manifest) || manifest.Trim() != manifest)
        {
            throw new ArgumentException($"the manifest of {typeof(T).FullName} must be non-empty without surrounding spaces, not '{manifest}'", nameof(manifest));
        }
        var parser = new MessageParser<T>(() => new T());
        lock (registering)
        {
            if (parsers.ContainsKey(manifest))
            {
                throw new ArgumentException($"the manifest '{manifest}' is already registered (for {TypeOf(manifest)}); manifests must be unique", nameof(manifest));
            }
            if (manifests.TryGetValue(typeof(T), out string? existing))
            {
                throw new ArgumentException($"{typeof(T).FullName} is already registered under the manifest '{existing}'", nameof(manifest));
            }
            manifests[typeof(T)] = manifest;
            parsers[manifest] = bytes => parser.ParseFrom(bytes);
        }
        return this;
    }

    /// <summary>The manifest <typeparamref name="T"/> is registered under, or null.</summary>
    public string? ManifestOf<T>() => manifests.GetValueOrDefault(typeof(T));

    /// <inheritdoc/>
    public (string Manifest, byte[] Payload) Serialize(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!manifests.TryGetValue(message.GetType(), out string? manifest))
        {
            throw new ArgumentException(
                $"{message.GetType().FullName} has no registered manifest; register it with ProtobufEventSerializer.Register<T>(manifest)", nameof(message));
        }
        // Registered types are IMessage<T> by construction.
        return (manifest, ((IMessage)message).ToByteArray());
    }

    /// <inheritdoc/>
    public object Deserialize(string manifest, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(payload);
        if (!parsers.TryGetValue(manifest, out Func<byte[], object>? parse))
        {
            throw new ArgumentException($"the manifest '{manifest}' is not registered with the event serializer", nameof(manifest));
        }
        try
        {
            return parse(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ArgumentException($"the payload under manifest '{manifest}' ({payload.Length} bytes) is not a valid {TypeOf(manifest)}: {e.Message}", nameof(payload), e);
        }
    }

    private string TypeOf(string manifest) =>
        manifests.FirstOrDefault(kv => kv.Value == manifest).Key?.FullName ?? "registered type";
}
