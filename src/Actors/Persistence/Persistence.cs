using System.Runtime.CompilerServices;

namespace ActorRL.Actors.Persistence;

/// <summary>The stores and serializer the persistent actors of one <see cref="ActorSystem"/> use.</summary>
/// <param name="Journal">Where events are appended and replayed from.</param>
/// <param name="Snapshots">Where snapshots are saved and loaded from.</param>
/// <param name="Serializer">Turns events and snapshots into manifest + bytes and back.</param>
public sealed record PersistenceSettings(IJournal Journal, ISnapshotStore Snapshots, IEventSerializer Serializer);

/// <summary>
/// Attaches <see cref="PersistenceSettings"/> to an actor system (an extension in Akka's terms). Register them once,
/// before the first persistent actor starts; the settings live as long as the system. (Not named <c>Persistence</c>:
/// inside <c>ActorRL.Actors.*</c> that name would resolve to the namespace.)
/// </summary>
public static class PersistenceRegistry
{
    private static readonly ConditionalWeakTable<ActorSystem, PersistenceSettings> Registered = new();

    /// <summary>Gives <paramref name="system"/> its persistence settings.</summary>
    /// <exception cref="InvalidOperationException">The system already has settings.</exception>
    public static void Register(ActorSystem system, PersistenceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(settings.Journal, nameof(settings.Journal));
        ArgumentNullException.ThrowIfNull(settings.Snapshots, nameof(settings.Snapshots));
        ArgumentNullException.ThrowIfNull(settings.Serializer, nameof(settings.Serializer));
        if (!Registered.TryAdd(system, settings))
        {
            throw new InvalidOperationException($"the actor system '{system.Name}' already has persistence settings");
        }
    }

    /// <summary>The settings of <paramref name="system"/>.</summary>
    /// <exception cref="InvalidOperationException">None were registered.</exception>
    public static PersistenceSettings For(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Registered.TryGetValue(system, out PersistenceSettings? settings)
            ? settings
            : throw new InvalidOperationException(
                $"the actor system '{system.Name}' has no persistence settings; call PersistenceRegistry.Register(system, settings) before starting persistent actors");
    }
}
