namespace ActorRL.Host.Bench.Model;

/// <summary>Told what each run of each implementation is doing, to show progress.</summary>
public interface IModelBenchProgress
{
    /// <summary>A run of <paramref name="runner"/> in round <paramref name="round"/> (0-based) starts
    /// <paramref name="activity"/> ("generating", "training", ...).</summary>
    void Starting(IModelRunner runner, int round, string activity);

    /// <summary>That run has ended.</summary>
    void Finished(IModelRunner runner, int round);
}
