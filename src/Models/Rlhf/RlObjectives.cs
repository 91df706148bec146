using ActorRL.Models.Objectives;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// The RL objectives by name (<c>ppo</c>, <c>rto</c>, <c>drto</c>, <c>rcfd</c>), built from the options bound by
/// <see cref="ObjectiveRegistry"/>. The preference objectives (<c>dpo</c>, <c>ropo</c>) train offline on pairs and are
/// not created here.
/// </summary>
public static class RlObjectives
{
    private static readonly string[] Known = ["ppo", "rto", "drto", "rcfd"];

    /// <summary>The RL objective names.</summary>
    public static IReadOnlyCollection<string> Names { get; } = Array.AsReadOnly(Known);

    /// <summary>
    /// The objective <paramref name="name"/> with <paramref name="options"/> (of its own options type). DRTO without
    /// boundary tokens takes the task's step boundaries (<see cref="IRlTask.StepBoundaryTokens"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not an RL objective, or the options belong to another one.</exception>
    public static IRlObjective Create(string name, IObjectiveOptions options, IRlTask task)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(task);
        if (!Known.Contains(name))
        {
            string kind = PreferenceObjectives.IsPreference(name) ? "a preference objective, trained on pairs rather than rollouts" : "unknown";
            throw new ArgumentException($"'{name}' is {kind}; the RL objectives are {string.Join(", ", Known)}", nameof(name));
        }
        if (options.Objective != name)
        {
            throw new ArgumentException($"objective '{name}' got the options of '{options.Objective}' ({options.GetType().Name})", nameof(options));
        }
        return options switch
        {
            PpoOptions ppo => new PpoObjective(ppo),
            RtoOptions rto => new RtoObjective(rto),
            DrtoOptions drto => new DrtoObjective(drto.SpanBoundaryTokens.Count > 0 ? drto : drto with { SpanBoundaryTokens = [.. task.StepBoundaryTokens.Order()] }),
            RcfdOptions rcfd => new RcfdObjective(rcfd, task),
            _ => throw new ArgumentException($"objective '{name}' cannot use options of type {options.GetType().Name}", nameof(options)),
        };
    }
}
