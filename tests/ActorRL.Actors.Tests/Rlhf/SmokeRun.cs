using System.Collections.Concurrent;
using ActorRL.Actors.Rlhf;
using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Rlhf.Stages;
using ActorRL.Models.Rlhf.Tasks;
using ActorRL.Models.Training;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Tests.Rlhf;

/// <summary>The RLHF runs are heavy: they run one at a time, never beside the kernel's timing-sensitive tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RlhfCollection
{
    public const string Name = "rlhf";
}

/// <summary>Smoke-size runs: a one-block model, a few SFT and RL steps, a handful of prompts.</summary>
internal static class SmokeRun
{
    public static RlhfRunSettings Settings(string runDir, string objective, string taskName = "arithmetic", int steps = 3) => new()
    {
        RunDir = runDir,
        Task = taskName,
        Seed = 3,
        Model = new GptConfig(RlTasks.Create(taskName, 3).Tokenizer.VocabSize, 128, 1, 2, 32),
        Objective = objective,
        ObjectiveOptions = ObjectiveRegistry.Defaults(objective),
        Stages = new StageSettings(
            new SftStageSettings(12, 64, new SftOptions { BatchSize = 16, MicroBatchSize = 16, Schedule = new WarmupCosineSchedule(3e-3, 3e-4, 2, 12) }),
            new RewardModelStageSettings(taskName == "arithmetic" ? 0 : 6, 64, 16, 1e-3),
            new DpoStageSettings(objective is "rto" or "drto" ? 4 : 0, 32, 0, 8, 1e-4, 0.1)),
        Steps = steps,
        PromptsPerStep = 2,
        SamplesPerPrompt = 2,
        Generation = new GenerationOptions { MaxNewTokens = 24, Temperature = 1.0 },
        PreferencePairs = 16,
        LabelNoise = 0.2,
        Eval = new EvalSettings(4, new GenerationOptions { MaxNewTokens = 24, Temperature = 0 }),
        TorchThreads = 1,
    };

    /// <summary>Runs <paramref name="settings"/> in a fresh actor system and records its events and log.</summary>
    public static async Task<Recorded> RunAsync(RlhfRunSettings settings, CancellationToken cancellationToken = default, Action<RlhfRunEvent>? onEvent = null)
    {
        var logs = new InMemoryLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        await using ActorSystem system = ActorSystem.Create("rlhf-test", loggerFactory: factory);
        var events = new ConcurrentQueue<RlhfRunEvent>();
        RlhfRunResult result = await RlhfRun.RunAsync(system, settings, e =>
        {
            events.Enqueue(e);
            onEvent?.Invoke(e);
        }, cancellationToken).WaitAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
        return new Recorded(result, [.. events], logs.Entries);
    }

    public sealed record Recorded(RlhfRunResult Result, IReadOnlyList<RlhfRunEvent> Events, IReadOnlyList<LogEntry> Log)
    {
        public IReadOnlyList<RlStepCompleted> Steps => [.. Events.OfType<RlStepCompleted>()];

        public IReadOnlyList<SamplesTrained> Trained => [.. Events.OfType<SamplesTrained>()];

        public IReadOnlyList<RoleRestarted> Restarts => [.. Events.OfType<RoleRestarted>()];
    }
}
