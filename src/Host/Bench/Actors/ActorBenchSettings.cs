namespace ActorRL.Host.Bench.Actors;

/// <summary>How much <c>actorrl bench actors</c> measures.</summary>
/// <param name="Seconds">Timed seconds of each measurement.</param>
/// <param name="Rounds">Measurements of every workload in each version, the versions taking turns to go first.</param>
/// <param name="Pairs">Ping-pong pairs playing at once in the multi-pair figure (the ratio uses one pair).</param>
/// <param name="Consumers">Actors (and, in the reference, channels) the fan-out producer sends to.</param>
/// <param name="ActorThroughput">Messages an actor handles per turn before yielding its thread.</param>
public sealed record ActorBenchSettings(double Seconds = 1, int Rounds = 3, int Pairs = 2, int Consumers = 8, int ActorThroughput = 100)
{
    /// <summary>
    /// Untimed seconds at the start of each measurement (a quarter of <see cref="Seconds"/>); an
    /// untimed pass of every workload this long also precedes the first round, to have the JIT done.
    /// </summary>
    public double WarmupSeconds => Seconds / 4;
}
