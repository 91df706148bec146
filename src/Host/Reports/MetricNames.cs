namespace ActorRL.Host.Reports;

/// <summary>The snake_case names of the measurements every run logs; objectives may add others.</summary>
public static class MetricNames
{
    /// <summary>Mean sequence reward of the batch.</summary>
    public const string RewardMean = "reward_mean";
    /// <summary>Standard deviation of the sequence reward of the batch.</summary>
    public const string RewardStd = "reward_std";
    /// <summary>KL divergence of the policy from the reference.</summary>
    public const string Kl = "kl";
    /// <summary>Mean per-token entropy of the policy.</summary>
    public const string Entropy = "entropy";
    /// <summary>Share of tokens whose probability ratio was clipped.</summary>
    public const string ClipFraction = "clip_fraction";
    /// <summary>DRTO's span-reweighting temperature.</summary>
    public const string DrtoTemperature = "drto_temperature";
    /// <summary>DRTO's effective sample size of the span weights.</summary>
    public const string DrtoEss = "drto_ess";
    /// <summary>RCfD's alignment A between policy and demonstration rewards.</summary>
    public const string RcfdAlignment = "rcfd_alignment";
    /// <summary>Share of preference pairs ROPO kept.</summary>
    public const string RopoKeptFraction = "ropo_kept_fraction";
    /// <summary>Rejection samples ROPO accepted.</summary>
    public const string RopoAccepted = "ropo_accepted";
    /// <summary>Seconds spent generating completions.</summary>
    public const string TimeGenerate = "time_generate_s";
    /// <summary>Seconds spent scoring (reference log-probabilities and rewards).</summary>
    public const string TimeScore = "time_score_s";
    /// <summary>Seconds spent in the objective step.</summary>
    public const string TimeObjective = "time_objective_s";
    /// <summary>Seconds spent in the learner's update.</summary>
    public const string TimeUpdate = "time_update_s";
    /// <summary>Seconds spent publishing weights to the rollout workers.</summary>
    public const string TimePublish = "time_publish_s";
    /// <summary>Generated tokens per second of wall time.</summary>
    public const string TokensPerSecond = "tokens_per_s";
    /// <summary>Share of the step's wall time the learner waited for work.</summary>
    public const string LearnerIdleFraction = "learner_idle_fraction";
    /// <summary>Actor restarts by supervision during the step.</summary>
    public const string Restarts = "restarts";

    /// <summary>Whether <paramref name="name"/> is snake_case: a lower-case letter, then lower-case letters, digits and underscores.</summary>
    public static bool IsSnakeCase(string name) =>
        name.Length > 0 && name[0] is >= 'a' and <= 'z' && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');
}
