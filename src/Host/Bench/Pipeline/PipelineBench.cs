using System.Diagnostics;
using ActorRL.Actors;
using ActorRL.Actors.Rlhf;
using Microsoft.Extensions.Logging;

namespace ActorRL.Host.Bench.Pipeline;

/// <summary>What one schedule's run measured, from the end of its first step (warm-up: roles load their models) to the end of its last.</summary>
/// <param name="Schedule">sync or async.</param>
/// <param name="Staleness">k.</param>
/// <param name="Steps">Steps timed.</param>
/// <param name="WallSeconds">Wall time of those steps.</param>
/// <param name="IterationsPerSecond">Steps per second.</param>
/// <param name="LearnerBusySeconds">Time the learner spent updating and capturing weights.</param>
/// <param name="LearnerIdleFraction">1 − busy / wall.</param>
/// <param name="ComputeSeconds">Model compute on each step's critical path, summed (generation, scoring, objective, update).</param>
/// <param name="OrchestrationOverheadFraction">1 − compute / wall: messaging, coordination and waiting (sync only, where steps do not overlap).</param>
/// <param name="Restarts">Role restarts (0 in a healthy run).</param>
public sealed record PipelineRunFigures(
    string Schedule, int Staleness, int Steps, double WallSeconds, double IterationsPerSecond, double LearnerBusySeconds,
    double LearnerIdleFraction, double ComputeSeconds, double OrchestrationOverheadFraction, int Restarts);

/// <summary>Runs the same RL configuration synchronously and asynchronously (k = 1) and measures both.</summary>
public static class PipelineBench
{
    /// <summary>Runs <paramref name="settings"/> once with <paramref name="schedule"/> and times its steps.</summary>
    public static async Task<PipelineRunFigures> MeasureAsync(RlhfRunSettings settings, RolloutSchedule schedule, int staleness,
        ILoggerFactory loggerFactory, Action<RlhfRunEvent> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings = settings with { Schedule = schedule, Staleness = staleness };
        var clock = Stopwatch.StartNew();
        var steps = new List<(double At, RlStepCompleted Step)>();
        await using ActorSystem system = ActorSystem.Create("bench-pipeline", loggerFactory: loggerFactory);
        RlhfRunResult result = await RlhfRun.RunAsync(system, settings, e =>
        {
            if (e is RlStepCompleted step) steps.Add((clock.Elapsed.TotalSeconds, step));
            progress(e);
        }, cancellationToken);
        if (result.Cancelled) throw new OperationCanceledException("the benchmark was stopped");
        if (steps.Count < 2) throw new InvalidOperationException("the pipeline benchmark needs at least 2 RL steps");
        return Summarize(schedule, staleness, steps, result.Restarts);
    }

    /// <summary>The figures of a run's steps (step time stamps in seconds), from the first step's end to the last's.</summary>
    public static PipelineRunFigures Summarize(RolloutSchedule schedule, int staleness, IReadOnlyList<(double At, RlStepCompleted Step)> steps, int restarts)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var timed = steps.Skip(1).ToList();
        double wall = steps[^1].At - steps[0].At;
        double busy = timed.Sum(s => s.Step.Metrics["time_update_s"] + s.Step.Metrics["time_publish_s"]);
        double compute = timed.Sum(s => s.Step.Metrics["compute_s"]);
        return new PipelineRunFigures(
            schedule.ToString().ToLowerInvariant(), staleness, timed.Count, wall, timed.Count / wall, busy,
            Math.Max(0, 1 - busy / wall), compute, Math.Max(0, 1 - compute / wall), restarts);
    }
}
