using ActorRL.Actors.Rlhf;

namespace ActorRL.Host.Progress;

/// <summary>Shows a run's progress as its events arrive.</summary>
public interface IRunProgress
{
    /// <summary>Shows <paramref name="runEvent"/>. Safe to call from any thread (the run's observer runs on the coordinator's).</summary>
    void Report(RlhfRunEvent runEvent);
}
