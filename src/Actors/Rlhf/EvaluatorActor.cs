using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Stages;

namespace ActorRL.Actors.Rlhf;

/// <summary>
/// Evaluates a policy checkpoint on the task (in-distribution and shifted accuracy, naturalness, win rate against the
/// SFT model): the run's "before" and "after" columns.
/// </summary>
internal sealed class EvaluatorActor : RoleActor
{
    public EvaluatorActor(RoleSetup setup) : base(setup) => Handle<EvaluationRequested>(Evaluate);

    private Evaluated Evaluate(EvaluationRequested request)
    {
        var dirs = Setup.StageDirs;
        using CausalLM policy = StageModels.LoadPolicy(request.PolicyDir, Settings.Model, withValueHead: true, Device);
        using CausalLM sft = StageModels.LoadPolicy(dirs["sft"], Settings.Model, withValueHead: false, Device);
        using RewardModel? reward = dirs.TryGetValue("reward_model", out string? rm) ? StageModels.LoadRewardModel(rm, Settings.Model, Device) : null;
        EvalSettings eval = Settings.Eval;
        var context = new EvalContext(policy, sft, sft, reward, eval.Examples, eval.Generation.MaxNewTokens, eval.Generation.Temperature, Settings.Seed);
        return new Evaluated(request.RequestId, request.Label, Task.Evaluate(context));
    }

    protected override void ReleaseModels()
    {
    }
}
