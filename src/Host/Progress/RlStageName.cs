namespace ActorRL.Host.Progress;

/// <summary>
/// The name of the stage an <see cref="ActorRL.Actors.Rlhf.RlStepCompleted"/> belongs to, which the event does not
/// carry: <c>rl</c>, or the preference objective's name (<c>dpo</c>, <c>ropo</c>) for its preference loop. RL steps
/// come only while that stage runs, after every other stage but the evaluations has started, so it is the last
/// non-evaluation stage started.
/// </summary>
public sealed class RlStageName
{
    /// <summary>The stage RL steps belong to; <c>rl</c> until a stage has started.</summary>
    public string Name { get; private set; } = "rl";

    /// <summary>Notes that <paramref name="stage"/> started.</summary>
    public void Started(string stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        if (!stage.StartsWith("eval_", StringComparison.Ordinal)) Name = stage;
    }
}
