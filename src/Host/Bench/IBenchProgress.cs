namespace ActorRL.Host.Bench;

/// <summary>Told when each run of each implementation starts and ends, to show progress.</summary>
public interface IBenchProgress
{
    /// <summary>A run of <paramref name="timer"/> in round <paramref name="round"/> (0-based) starts.</summary>
    void Starting(IStepTimer timer, int round);

    /// <summary>That run has ended.</summary>
    void Finished(IStepTimer timer, int round);
}
