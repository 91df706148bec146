namespace ActorRL.Host.Bench.Actors;

/// <summary>Told when each run of each measurement starts and ends, to show progress.</summary>
public interface IActorBenchProgress
{
    /// <summary>A run of <paramref name="measurement"/> starts: round 0-based, or -1 for the warm-up pass.</summary>
    void Starting(ActorBenchMeasurement measurement, int round);

    /// <summary>That run has ended.</summary>
    void Finished(ActorBenchMeasurement measurement, int round);
}
