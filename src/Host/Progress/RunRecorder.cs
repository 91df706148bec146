using ActorRL.Actors.Rlhf;
using ActorRL.Host.Reports;
using ActorRL.Models.Rlhf.Stages;

namespace ActorRL.Host.Progress;

/// <summary>
/// What <c>actorrl train</c> keeps of a run's events: every RL step and pre-RL stage step as a line of
/// <c>metrics.jsonl</c> in the run directory (RL and preference-optimization steps under stage <c>rl</c>), and when
/// each stage started and ended, for the report. <see cref="Observer"/> hands each event on to a progress display as well, and never lets
/// a failure of either reach the run: the first of each kind is reported as a warning and the run goes on.
/// </summary>
public sealed class RunRecorder : IDisposable
{
    /// <summary>The stage RL steps are logged under.</summary>
    public const string RlStage = "rl";

    private static readonly string[] Reserved = ["step", "timestamp", "stage"];

    private readonly MetricsLog log;
    private readonly TimeProvider time;
    private readonly Action<string> warn;
    private readonly Lock gate = new();
    private readonly List<(string Stage, DateTimeOffset Start)> started = [];
    private readonly Dictionary<string, DateTimeOffset> ended = new(StringComparer.Ordinal);
    private readonly HashSet<string> warned = new(StringComparer.Ordinal);

    /// <summary>Opens (or continues) <c>metrics.jsonl</c> under <paramref name="runDir"/>.</summary>
    /// <param name="runDir">The run directory.</param>
    /// <param name="time">The clock that stamps metrics lines and times stages.</param>
    /// <param name="warn">Where warnings go (one line each).</param>
    public RunRecorder(string runDir, TimeProvider time, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(warn);
        log = new MetricsLog(runDir);
        this.time = time;
        this.warn = warn;
        if (log.DroppedPartialBytes > 0)
        {
            warn($"{log.Path}: dropped an unfinished last line ({log.DroppedPartialBytes} bytes) left by an earlier run that stopped mid-write");
        }
    }

    /// <summary>The metrics file.</summary>
    public string MetricsPath => log.Path;

    /// <summary>The run's observer: records each event, then shows it on <paramref name="progress"/>.</summary>
    public Action<RlhfRunEvent> Observer(IRunProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return runEvent =>
        {
            Guard("metrics", () => Record(runEvent));
            Guard("progress", () => progress.Report(runEvent));
        };
    }

    /// <summary>Records one event (a metrics line for a step; the time for a stage's start or end).</summary>
    public void Record(RlhfRunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        DateTimeOffset now = time.GetUtcNow();
        switch (runEvent)
        {
            case StageStarted s:
                lock (gate) started.Add((s.Stage, now));
                break;
            case StageFinished f:
                lock (gate) ended[f.Result.Stage] = now;
                break;
            case EvaluationCompleted e:
                lock (gate) ended[$"eval_{e.Label}"] = now;
                break;
            case StageStepped s:
                log.Append(new StepMetrics(s.Progress.Step, now, s.Progress.Stage, Loggable(s.Progress.Metrics)));
                break;
            case RlStepCompleted s:
                log.Append(new StepMetrics(s.Step, now, RlStage, Loggable(s.Metrics)));
                break;
        }
    }

    /// <summary>
    /// The stages for the report, in order: those <paramref name="result"/> lists (with their durations and whether
    /// they were reused), then the others seen starting (the RL stage, the evaluations), each timed from its start to
    /// its end (<see cref="StageFinished"/>, or <see cref="EvaluationCompleted"/> for <c>eval_before</c> and
    /// <c>eval_after</c>), else to the next stage's start, else to <paramref name="end"/>.
    /// </summary>
    public IReadOnlyList<StageSummary> Stages(IReadOnlyList<StageResult> result, DateTimeOffset end)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (gate)
        {
            var stages = result.Select(r => new StageSummary(r.Stage, r.Duration, r.Reused)).ToList();
            // A name may start twice: the dpo stage before RL, and the dpo objective's preference loop.
            var listed = result.Select(r => r.Stage).ToList();
            for (int i = 0; i < started.Count; i++)
            {
                (string stage, DateTimeOffset start) = started[i];
                if (listed.Remove(stage)) continue;
                DateTimeOffset stop = ended.TryGetValue(stage, out DateTimeOffset at) && at >= start ? at
                    : i + 1 < started.Count ? started[i + 1].Start
                    : end;
                stages.Add(new StageSummary(stage, stop - start));
            }
            return stages;
        }
    }

    /// <summary>Closes the metrics file.</summary>
    public void Dispose() => log.Dispose();

    // metrics.jsonl takes snake_case names other than its own members; a name that is not is left out (and said once)
    // rather than losing the whole line.
    private Dictionary<string, double> Loggable(IReadOnlyDictionary<string, double> metrics)
    {
        var kept = new Dictionary<string, double>(metrics.Count, StringComparer.Ordinal);
        foreach ((string name, double value) in metrics)
        {
            if (MetricNames.IsSnakeCase(name) && !Reserved.Contains(name)) kept[name] = value;
            else WarnOnce($"name:{name}", $"metric '{name}' is not logged: names in {MetricsLog.FileName} are snake_case and not step, timestamp or stage");
        }
        return kept;
    }

    private void Guard(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            WarnOnce(what + e.GetType().FullName, $"{what}: {e.Message} (the run goes on; further such failures are not reported)");
        }
    }

    private void WarnOnce(string key, string message)
    {
        lock (gate)
        {
            if (!warned.Add(key)) return;
        }
        warn(message);
    }
}
