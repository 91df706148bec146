using ActorRL.Actors.Rlhf;
using ActorRL.Models.Rlhf;
using Spectre.Console;

namespace ActorRL.Host.Progress;

/// <summary>
/// Progress on an interactive terminal: one live Spectre.Console bar per stage (name, bar, step/total, time left),
/// the RL stage's with its latest reward, KL, tokens/s and learner idle share. Evaluations and role restarts are
/// printed above the bars.
/// </summary>
public sealed class LiveRunProgress : IRunProgress
{
    private readonly ProgressContext context;
    private readonly IAnsiConsole console;
    private readonly Lock gate = new();
    private readonly Dictionary<string, ProgressTask> tasks = new(StringComparer.Ordinal);
    private readonly RlStageName rlStage = new();

    /// <summary>Adds bars to <paramref name="context"/> and writes lines to <paramref name="console"/>, the console it runs on.</summary>
    public LiveRunProgress(ProgressContext context, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(console);
        this.context = context;
        this.console = console;
    }

    /// <summary>The columns of the display.</summary>
    public static ProgressColumn[] Columns() =>
        [new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new StepCountColumn(), new RemainingTimeColumn(), new SpinnerColumn()];

    /// <inheritdoc/>
    public void Report(RlhfRunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        lock (gate)
        {
            switch (runEvent)
            {
                case StageStarted started:
                    rlStage.Started(started.Stage);
                    Start(started.Stage, started.Steps);
                    break;
                case StageStepped stepped:
                    Step(stepped.Progress.Stage, stepped.Progress.Step, stepped.Progress.Steps, ProgressFormat.StageFigures(stepped.Progress.Metrics));
                    break;
                case RlStepCompleted step:
                    Step(rlStage.Name, step.Step, step.Steps, ProgressFormat.RlFigures(step.Metrics));
                    break;
                case StageFinished finished:
                    Finish(finished.Result.Stage, finished.Result.Reused ? "reused" : null);
                    break;
                case EvaluationCompleted evaluation:
                    Finish($"eval_{evaluation.Label}", null);
                    console.MarkupLine(Markup.Escape($"eval {evaluation.Label}: {Figures(evaluation.Figures)}"));
                    break;
                case RoleRestarted restarted:
                    console.MarkupLine($"[yellow]{Markup.Escape($"restarted {restarted.Role}: {restarted.Reason}")}[/]");
                    break;
            }
        }
    }

    private ProgressTask Start(string stage, long steps)
    {
        if (!tasks.TryGetValue(stage, out ProgressTask? task))
        {
            task = context.AddTask(Markup.Escape(stage), maxValue: Math.Max(steps, 1));
            tasks[stage] = task;
        }
        task.MaxValue = Math.Max(steps, 1);
        task.IsIndeterminate = steps <= 0;
        return task;
    }

    private void Step(string stage, long step, long steps, string figures)
    {
        ProgressTask task = tasks.TryGetValue(stage, out ProgressTask? known) ? known : Start(stage, steps);
        if (steps > 0)
        {
            task.MaxValue = steps;
            task.IsIndeterminate = false;
        }
        task.Value = step;
        task.Description = figures.Length == 0 ? Markup.Escape(stage) : $"{Markup.Escape(stage)} [grey]{Markup.Escape(figures)}[/]";
    }

    private void Finish(string stage, string? note)
    {
        if (!tasks.TryGetValue(stage, out ProgressTask? task)) return;
        task.IsIndeterminate = false;
        task.Value = task.MaxValue;
        if (note is not null) task.Description = $"{Markup.Escape(stage)} [grey]({Markup.Escape(note)})[/]";
        task.StopTask();
    }

    private static string Figures(IReadOnlyList<EvalFigure> figures) =>
        figures.Count == 0 ? "no figures" : string.Join(", ", figures.Select(f => $"{f.Name} {ProgressFormat.Figure(f.Value)}"));
}
