namespace ActorRL.Actors.Persistence;

/// <summary>
/// Turns journaled events and snapshots into protobuf bytes and back, through a registry of message types under
/// stable manifests: a manifest read from storage (or the wire) only ever selects a registered type.
/// </summary>
public interface IEventSerializer
{
    /// <summary>The manifest and bytes of <paramref name="message"/>.</summary>
    /// <exception cref="ArgumentException">Its type is not registered.</exception>
    (string Manifest, byte[] Payload) Serialize(object message);

    /// <summary>The message stored under <paramref name="manifest"/>.</summary>
    /// <exception cref="ArgumentException">The manifest is not registered, or the bytes do not parse (the message says which).</exception>
    object Deserialize(string manifest, byte[] payload);
}
