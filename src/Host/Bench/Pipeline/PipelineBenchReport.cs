using ActorRL.Host.Diagnostics;

namespace ActorRL.Host.Bench.Pipeline;

/// <summary>The ratios of <c>actorrl bench pipeline</c>.</summary>
/// <param name="AsyncOverSyncThroughput">Iterations per second of the asynchronous schedule (k = 1) over the synchronous one (goal ≥ 1.0).</param>
public sealed record PipelineRatios(double AsyncOverSyncThroughput);

/// <summary>The single figures of <c>actorrl bench pipeline</c>.</summary>
/// <param name="AsyncLearnerIdleFraction">Share of the asynchronous run's wall time the learner waited (goal ≤ 0.2).</param>
/// <param name="OrchestrationOverheadFraction">Share of the synchronous run's wall time outside model compute: messaging,
/// coordination and waiting (goal ≤ 0.05).</param>
/// <param name="SyncLearnerIdleFraction">The same idle share in the synchronous run, for comparison.</param>
public sealed record PipelineFigures(double AsyncLearnerIdleFraction, double OrchestrationOverheadFraction, double SyncLearnerIdleFraction);

/// <summary>What the run measured.</summary>
/// <param name="Config">The configuration file and overrides used for both runs.</param>
/// <param name="Objective">The RL objective.</param>
/// <param name="Sync">The synchronous run.</param>
/// <param name="Async">The asynchronous run (k = 1).</param>
/// <param name="Ratios">Ratios.</param>
/// <param name="Figures">Figures.</param>
/// <param name="Machine">Processor, cores, operating system, runtime.</param>
public sealed record PipelineBenchReport(
    IReadOnlyList<string> Config, string Objective, PipelineRunFigures Sync, PipelineRunFigures Async, PipelineRatios Ratios,
    PipelineFigures Figures, MachineInfo Machine);
