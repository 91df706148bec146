using ActorRL.Actors.Persistence;
using ActorRL.Actors.Rlhf.Journal;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Tasks;
using ActorRL.Models.Tensors;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Rlhf;

/// <summary>Starts a whole run (stages, RL loop, evaluation) as a tree of supervised actors and waits for its end.</summary>
public static class RlhfRun
{
    /// <summary>
    /// Runs to the end, or until <paramref name="cancellationToken"/> is cancelled: then the current step finishes, a
    /// checkpoint is written and the result says <c>Cancelled</c>.
    /// </summary>
    /// <param name="system">The actor system the roles are created in (under <c>/user/rlhf</c>).</param>
    /// <param name="settings">The run.</param>
    /// <param name="observer">Receives every <see cref="RlhfRunEvent"/> in order, on the coordinator's turn; keep it quick.</param>
    /// <param name="cancellationToken">Stops the run after the current step.</param>
    /// <exception cref="ArgumentException">The settings cannot make a run (named in the message).</exception>
    public static async Task<RlhfRunResult> RunAsync(ActorSystem system, RlhfRunSettings settings, Action<RlhfRunEvent> observer,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(observer);
        Validate(settings);
        Directory.CreateDirectory(settings.RunDir);

        var completion = new TaskCompletionSource<RlhfRunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Cancels a stage in progress; RL steps are stopped between steps by StopRequested.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var faults = new FaultInjector(settings.Faults);
        // The run journal lives in the run directory: an SQLite file that outlives the process. A write that fails is
        // retried with back-off (each retry logged); one that still fails ends the run with the error, naming the file.
        await using SqlPersistence stores = SqlPersistence.OpenSqlite(Path.Combine(settings.RunDir, RunJournal.FileName),
            logger: system.LoggerFactory.CreateLogger(typeof(RunJournal).FullName!));
        var journal = new PersistenceSettings(stores.Journal, stores.SnapshotStore, RunJournal.Serializer());
        IActorRef coordinator = system.ActorOf(
            Props.Create(() => new Coordinator(settings, observer, completion, faults, journal, stopping.Token)), "rlhf");
        await using CancellationTokenRegistration registration = cancellationToken.Register(() => coordinator.Tell(new Coordinator.StopRequested()));
        coordinator.Tell(new Coordinator.Begin());
        try
        {
            return await completion.Task.ConfigureAwait(false);
        }
        finally
        {
            faults.Dispose();
            await coordinator.GracefulStop(TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        }
    }

    private static void Validate(RlhfRunSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.RunDir)) throw new ArgumentException("the run directory is required", nameof(settings));
        settings.ObjectiveOptions.Validate();
        if (settings.ObjectiveOptions.Objective != settings.Objective)
        {
            throw new ArgumentException($"objective '{settings.Objective}' was given options of '{settings.ObjectiveOptions.Objective}'", nameof(settings));
        }
        if (settings.PromptsPerStep < 1 || settings.SamplesPerPrompt < 1 || settings.RolloutWorkers < 1 || settings.Steps < 0)
        {
            throw new ArgumentException("steps, prompts per step, samples per prompt and rollout workers must be positive", nameof(settings));
        }
        if (Device.Parse(settings.Device).Type == DeviceType.Cuda && !Torch.CudaIsAvailable)
        {
            throw new ArgumentException($"device {settings.Device}: this libtorch sees no CUDA device (see actorrl doctor)", nameof(settings));
        }
        if (settings.Objective is "rto" or "drto" && settings.Stages.Dpo.Steps < 1)
        {
            throw new ArgumentException($"objective {settings.Objective} needs the DPO stage (its token rewards come from the DPO model)", nameof(settings));
        }
        if (!PreferenceObjectives.IsPreference(settings.Objective) && settings.Stages.RewardModel.Steps < 1)
        {
            IRlTask task = RlTasks.Create(settings.Task, settings.Seed);
            if (task.VerifiedReward(0, task.Prompt(0)) is null)
            {
                throw new ArgumentException($"task {settings.Task} has no verifier: objective {settings.Objective} needs the reward-model stage", nameof(settings));
            }
        }
    }
}
