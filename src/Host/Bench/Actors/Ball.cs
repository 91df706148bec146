namespace ActorRL.Host.Bench.Actors;

/// <summary>
/// The message every workload sends: one shared immutable instance, so that neither the actor nor
/// the channel version pays for allocating messages and the figures compare delivery alone.
/// </summary>
internal sealed class Ball
{
    /// <summary>The instance.</summary>
    public static readonly Ball Instance = new();

    private Ball() { }
}
