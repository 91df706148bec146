using System.Globalization;
using ActorRL.Actors.Rlhf;
using ActorRL.Models.Rlhf;

namespace ActorRL.Host.Progress;

/// <summary>
/// Progress as plain log lines, for output that is not an interactive terminal (a pipe, a file, CI):
/// <c>rl step 12/40 reward 0.41 kl 0.012 tok/s 850 idle 12% eta 1m20s</c>. A stage's step gets a line when it is
/// its first or last, when a tenth of the stage (by default) has passed since the last line, or when the interval
/// (5 s by default) has.
/// </summary>
public sealed class PlainRunProgress : IRunProgress
{
    private readonly TextWriter writer;
    private readonly TimeProvider time;
    private readonly int linesPerStage;
    private readonly TimeSpan interval;
    private readonly Lock gate = new();
    private readonly Dictionary<string, StageClock> clocks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Step, DateTimeOffset At)> lastLines = new(StringComparer.Ordinal);
    private readonly RlStageName rlStage = new();

    /// <summary>Writes to <paramref name="writer"/>.</summary>
    /// <param name="writer">Where the lines go.</param>
    /// <param name="time">The clock (the system's in use, a fixed one in tests).</param>
    /// <param name="linesPerStage">About how many step lines a stage gets besides those the interval adds.</param>
    /// <param name="interval">A step line is written at least this often while steps finish; 5 s when null.</param>
    public PlainRunProgress(TextWriter writer, TimeProvider time, int linesPerStage = 10, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(linesPerStage, 1);
        this.writer = writer;
        this.time = time;
        this.linesPerStage = linesPerStage;
        this.interval = interval ?? TimeSpan.FromSeconds(5);
    }

    /// <inheritdoc/>
    public void Report(RlhfRunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        lock (gate)
        {
            string? line = Line(runEvent, time.GetUtcNow());
            if (line is null) return;
            writer.WriteLine(line);
            writer.Flush();
        }
    }

    private string? Line(RlhfRunEvent runEvent, DateTimeOffset now)
    {
        switch (runEvent)
        {
            case StageStarted started:
                rlStage.Started(started.Stage);
                clocks[started.Stage] = new StageClock(started.Stage, started.Steps, now);
                lastLines.Remove(started.Stage);
                return started.Steps > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{started.Stage} started, {started.Steps} steps")
                    : $"{started.Stage} started";
            case StageStepped stepped:
                return StepLine(stepped.Progress.Stage, stepped.Progress.Step, stepped.Progress.Steps, ProgressFormat.StageFigures(stepped.Progress.Metrics), now);
            case RlStepCompleted step:
                return StepLine(rlStage.Name, step.Step, step.Steps, ProgressFormat.RlFigures(step.Metrics), now);
            case StageFinished finished:
                return finished.Result.Reused
                    ? $"{finished.Result.Stage} reused {finished.Result.CheckpointDir}"
                    : $"{finished.Result.Stage} done in {ProgressFormat.Duration(finished.Result.Duration)}, checkpoint {finished.Result.CheckpointDir}";
            case EvaluationCompleted evaluation:
                return $"eval {evaluation.Label}: {Figures(evaluation.Figures)}";
            case RoleRestarted restarted:
                return $"restarted {restarted.Role}: {restarted.Reason}";
            default:
                return null;
        }
    }

    private string? StepLine(string stage, long step, long steps, string figures, DateTimeOffset now)
    {
        if (!clocks.TryGetValue(stage, out StageClock? clock))
        {
            clock = new StageClock(stage, steps, now, startKnown: false);
            clocks[stage] = clock;
        }
        clock.Stepped(step, steps, now);
        long every = Math.Max(1, (clock.Steps + linesPerStage - 1) / linesPerStage);
        bool due = !lastLines.TryGetValue(stage, out var last)
            || (clock.Steps > 0 && step >= clock.Steps)
            || step - last.Step >= every
            || now - last.At >= interval;
        if (!due) return null;
        lastLines[stage] = (step, now);

        string count = clock.Steps > 0 ? string.Create(CultureInfo.InvariantCulture, $"{step}/{clock.Steps}") : step.ToString(CultureInfo.InvariantCulture);
        string eta = clock.Remaining is { } remaining ? $" eta {ProgressFormat.Duration(remaining)}" : "";
        string middle = figures.Length > 0 ? " " + figures : "";
        return $"{stage} step {count}{middle}{eta}";
    }

    private static string Figures(IReadOnlyList<EvalFigure> figures) =>
        figures.Count == 0 ? "no figures" : string.Join(", ", figures.Select(f => $"{f.Name} {ProgressFormat.Figure(f.Value)}"));
}
