using System.Text.Json;
using System.Text.Json.Nodes;
using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;
using ActorRL.Models.Training;

namespace ActorRL.Models.Rlhf.Stages;

/// <summary>
/// DPO from the SFT model on the task's preference pairs: the π_dpo whose log-ratios against π_ref are RTO's and
/// DRTO's token rewards. The policy and the frozen reference both start from the SFT checkpoint; the reference's
/// sequence log-probabilities are computed once, before the first step.
/// </summary>
/// <remarks>
/// Dropout is off in the policy as in the reference (as TRL's DPO trainer does by default): with it on, the policy's
/// log-probabilities would differ from the reference's at step 0 by noise alone, and the margin would start away from 0.
/// </remarks>
public static class DpoStage
{
    /// <summary>The stage's name, in progress reports and its directory.</summary>
    public const string Name = "dpo";

    /// <summary>Runs the stage, or reuses an earlier run's result with the same inputs; null when it is skipped (0 steps).</summary>
    /// <param name="task">The task supplying preference pairs.</param>
    /// <param name="model">The policy's size.</param>
    /// <param name="s">Steps, pairs, label noise, batch size, learning rate, β.</param>
    /// <param name="sft">The SFT result: the start of the policy and the reference.</param>
    /// <param name="seed">Seeds the pairs and the batch order.</param>
    /// <param name="runDir">The run directory; the result goes under <c>stages/</c>.</param>
    /// <param name="progress">Called after every step with <c>loss</c>, <c>reward_accuracy</c>, <c>margin</c> (mean βΔ),
    /// <c>chosen_reward</c>, <c>rejected_reward</c> and <c>lr</c>, all over the step's batch.</param>
    /// <param name="ct">Checked between steps; when cancelled nothing is saved.</param>
    /// <param name="warning">Told about a cached result that failed verification (it is trained again).</param>
    /// <param name="device">Where to train; the CPU when null.</param>
    public static StageResult? Run(IRlTask task, GptConfig model, DpoStageSettings s, StageResult sft, int seed, string runDir,
        Action<StageProgress>? progress, CancellationToken ct, Action<string>? warning = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(sft);
        ArgumentOutOfRangeException.ThrowIfNegative(s.Steps);
        if (s.Steps == 0) return null;
        ArgumentOutOfRangeException.ThrowIfLessThan(s.BatchSize, 1);
        if (!(s.Beta > 0)) throw new ArgumentOutOfRangeException(nameof(s), s.Beta, "β must be > 0");
        string key = StageCache.Key(Name, s, model, task.Name, seed, StageCache.KeyOf(sft));
        string dir = StageCache.Directory(runDir, Name, key);
        return StageCache.ReuseOrTrain(Name, dir, warning, target => Train(task, model, s, sft, seed, key, target, progress, ct, device));
    }

    private static void Train(IRlTask task, GptConfig config, DpoStageSettings s, StageResult sft, int seed, string key, string dir,
        Action<StageProgress>? progress, CancellationToken ct, Device? device)
    {
        ct.ThrowIfCancellationRequested();
        IReadOnlyList<PreferenceExample> pairs = task.PreferencePairs(s.Pairs, s.LabelNoise, seed);
        if (pairs.Count == 0) throw new InvalidOperationException($"task {task.Name} gave no preference pairs for the DPO stage");
        int pad = task.Tokenizer.Pad;
        double[] refChosen, refRejected;
        using (CausalLM reference = StageModels.LoadPolicy(sft.CheckpointDir, config, withValueHead: false, device))
        {
            reference.Eval();
            refChosen = SequenceLogProbs.ComputeValues(reference, [.. pairs.Select(p => (p.Prompt, p.Chosen))], pad, s.BatchSize);
            refRejected = SequenceLogProbs.ComputeValues(reference, [.. pairs.Select(p => (p.Prompt, p.Rejected))], pad, s.BatchSize);
        }

        using CausalLM policy = StageModels.LoadPolicy(sft.CheckpointDir, config, withValueHead: false, device);
        policy.Eval();
        Device where = device ?? Device.Cpu;
        using var optimizer = new AdamW(OptimizerGroups.DecayMatricesOnly(policy, s.Lr, s.WeightDecay));
        using IEnumerator<List<int>> batches = StageBatches.Cycle([.. Enumerable.Range(0, pairs.Count)], s.BatchSize, seed).GetEnumerator();
        DpoDiagnostics? last = null;
        for (int step = 0; step < s.Steps; step++)
        {
            ct.ThrowIfCancellationRequested();
            batches.MoveNext();
            List<int> batch = batches.Current;
            int n = batch.Count;
            using (var scope = new DisposeScope())
            {
                var items = new List<(int[], int[])>(2 * n);
                items.AddRange(batch.Select(i => (pairs[i].Prompt, pairs[i].Chosen)));
                items.AddRange(batch.Select(i => (pairs[i].Prompt, pairs[i].Rejected)));
                Tensor logProbs = SequenceLogProbs.Compute(policy, items, pad);
                Tensor policyChosen = logProbs.Narrow(0, 0, n), policyRejected = logProbs.Narrow(0, n, n);
                Tensor referenceChosen = Torch.From<float>([.. batch.Select(i => (float)refChosen[i])], [n], where);
                Tensor referenceRejected = Torch.From<float>([.. batch.Select(i => (float)refRejected[i])], [n], where);
                optimizer.ZeroGrad();
                Tensor loss = Dpo.Loss(Dpo.Margins(policyChosen, policyRejected, referenceChosen, referenceRejected), s.Beta);
                loss.Backward();
                if (s.GradClip > 0) Torch.ClipGradNorm([.. policy.Parameters()], s.GradClip);
                optimizer.Step();
                last = Dpo.Diagnostics(policyChosen, policyRejected, referenceChosen, referenceRejected, s.Beta);
            }
            progress?.Invoke(new StageProgress(Name, step + 1, s.Steps, new Dictionary<string, double>
            {
                ["loss"] = last.Loss,
                ["reward_accuracy"] = last.Accuracy,
                ["margin"] = last.RewardMargin,
                ["chosen_reward"] = last.ChosenReward,
                ["rejected_reward"] = last.RejectedReward,
                ["lr"] = s.Lr,
            }));
        }
        ct.ThrowIfCancellationRequested();
        StageCache.Save(dir, new Checkpoints.CheckpointContents
        {
            Model = policy,
            IncludeRng = false,
            ModelConfig = JsonSerializer.SerializeToNode(config),
            TrainerState = new JsonObject
            {
                ["stage"] = Name,
                ["key"] = key,
                ["task"] = task.Name,
                ["seed"] = seed,
                ["steps"] = s.Steps,
                ["sft"] = sft.CheckpointDir,
                ["beta"] = s.Beta,
                ["final_loss"] = last?.Loss,
                ["final_reward_accuracy"] = last?.Accuracy,
            },
        });
    }
}
