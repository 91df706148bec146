using System.Diagnostics;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Stages;

namespace ActorRL.Actors.Rlhf;

/// <summary>The reference role: per-token log-probabilities under the frozen SFT model, and under the DPO model for RTO/DRTO.</summary>
internal sealed class ReferenceActor : RoleActor
{
    private ReferenceScorer? scorer;

    public ReferenceActor(RoleSetup setup) : base(setup)
    {
        Handle<ReferenceScoresRequested>(ScoreTokens);
        Handle<SequenceScoresRequested>(ScoreSequences);
    }

    private ReferenceScorer Scorer => scorer ??= new ReferenceScorer(
        StageModels.LoadPolicy(Setup.StageDirs["sft"], Settings.Model, withValueHead: false, Device),
        Setup.StageDirs.TryGetValue("dpo", out string? dpo) ? StageModels.LoadPolicy(dpo, Settings.Model, withValueHead: false, Device) : null);

    private ReferenceScored ScoreTokens(ReferenceScoresRequested request)
    {
        Setup.Faults.MaybeHang("reference", request.Step);
        var clock = Stopwatch.StartNew();
        var scores = Scorer.Score(request.Rollouts);
        if (request.WithDpo && scores.Any(s => s.Dpo is null)) throw new InvalidOperationException("DPO log-probabilities were asked for but the run has no DPO model");
        return new ReferenceScored(request.RequestId, [.. scores.Select(s => s.Ref)], [.. scores.Select(s => request.WithDpo ? s.Dpo : null)], clock.Elapsed);
    }

    private SequencesScored ScoreSequences(SequenceScoresRequested request)
    {
        Setup.Faults.MaybeHang("reference", request.Step);
        var clock = Stopwatch.StartNew();
        double[] logProbs = Scorer.SequenceLogProbs([.. request.Items.Select(i => (i.Prompt, i.Response))]);
        return new SequencesScored(request.RequestId, logProbs, clock.Elapsed);
    }

    protected override void ReleaseModels() => scorer?.Dispose();
}
