namespace ActorRL.Actors.Rlhf;

/// <summary>Thrown by a role where <see cref="FaultPlan"/> asks for a fault.</summary>
public sealed class InjectedFaultException(string message) : Exception(message);

/// <summary>
/// Fires each fault of a <see cref="FaultPlan"/> once per run, whatever restarts happen in between: shared by the roles
/// of one run (in-process only: faults are a test and drill facility).
/// </summary>
internal sealed class FaultInjector(FaultPlan plan) : IDisposable
{
    private readonly CancellationTokenSource released = new();
    private int rolloutFired, rewardFired, learnerFired, learnerMidUpdateFired, hangFired;

    /// <summary>Throws once when a rollout worker generates for the planned step.</summary>
    public void Rollout(long step) => Fire(plan.RolloutAtStep, step, ref rolloutFired, "rollout worker");

    /// <summary>Throws once when the reward role scores the planned step.</summary>
    public void Reward(long step) => Fire(plan.RewardAtStep, step, ref rewardFired, "reward role");

    /// <summary>Throws once when the learner trains the planned step.</summary>
    public void Learner(long step) => Fire(plan.LearnerAtStep, step, ref learnerFired, "learner");

    /// <summary>Throws once when the learner has made the first optimizer step of the planned step's update.</summary>
    public void LearnerMidUpdate(long step) => Fire(plan.LearnerMidUpdateAtStep, step, ref learnerMidUpdateFired, "learner mid-update");

    /// <summary>Blocks the calling compute thread (until the run ends) once, when <paramref name="role"/> reaches the planned step.</summary>
    public void MaybeHang(string role, long step)
    {
        if (plan.HangRole != role || step != plan.HangAtStep || Interlocked.Exchange(ref hangFired, 1) != 0) return;
        released.Token.WaitHandle.WaitOne();
    }

    private static void Fire(long? planned, long step, ref int fired, string role)
    {
        if (planned != step || Interlocked.Exchange(ref fired, 1) != 0) return;
        throw new InjectedFaultException($"fault injected into the {role} at step {step}");
    }

    /// <summary>Releases a hung role so that its actor can stop.</summary>
    public void Dispose() => released.Cancel();
}
