using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// DRTO (OBJECTIVES.md, "DRTO"): RTO's token rewards and advantages, each response cut into spans
/// (<see cref="Spans.Split(ReadOnlySpan{long}, IReadOnlySet{int}, int)"/> at the boundary tokens and every
/// <see cref="DrtoOptions.MaxSpanLength"/> tokens), and an actor loss that weighs the mean PPO token loss of each span of
/// the minibatch with the worst-case distribution of <see cref="SpanReweighting"/>. The critic's loss and the entropy
/// bonus are PPO's, unweighted.
/// </summary>
/// <remarks>
/// The weights are solved over the spans of the minibatch the learner passes to <see cref="Loss"/>, which is the unit
/// of one optimizer step: the distribution q is over what one update trains on.
/// </remarks>
public sealed class DrtoObjective : IRlObjective
{
    private readonly IReadOnlySet<int> boundaries;

    /// <summary>Creates the objective.</summary>
    public DrtoObjective(DrtoOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        boundaries = options.SpanBoundaryTokens.ToHashSet();
    }

    /// <summary>The settings.</summary>
    public DrtoOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "drto";

    /// <inheritdoc/>
    public bool NeedsDpoModel => true;

    /// <inheritdoc/>
    public bool NeedsDemonstrationRewards => false;

    /// <inheritdoc/>
    public bool TrainsCritic => true;

    /// <inheritdoc/>
    public TrainingBatch Prepare(long batchId, IReadOnlyList<ScoredRollout> batch)
    {
        ScoredBatch.Check(batch, Name, needsDpo: true, needsDemoRewards: false);
        int[][] spanIds = [.. batch.Select(s => SpanIds(s.Rollout.Response))];
        var samples = AdvantageEstimation.Samples(batch, RtoObjective.TokenRewards(batch, Options.Rto), Options.Rto.Ppo, spanIds);
        var metrics = ScoredBatch.Metrics(batch);
        metrics["drto_spans_per_sample"] = spanIds.Average(ids => ids.Length == 0 ? 0 : ids[^1] + 1);
        return new TrainingBatch(batchId, samples, metrics);
    }

    /// <summary>The span of each response token, numbered 0, 1, … within the response.</summary>
    public int[] SpanIds(int[] response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var ids = new int[response.Length];
        var spans = Spans.Split([.. response.Select(t => (long)t)], boundaries, Options.MaxSpanLength);
        for (int k = 0; k < spans.Count; k++) ids.AsSpan(spans[k].Start, spans[k].Length).Fill(k);
        return ids;
    }

    /// <inheritdoc/>
    public ObjectiveLoss Loss(CausalLM policy, IReadOnlyList<TrainingSample> minibatch)
    {
        ArgumentNullException.ThrowIfNull(minibatch);
        PpoOptions ppo = Options.Rto.Ppo;
        using var scope = new DisposeScope();
        var evaluation = PolicyEvaluation.Run(policy, minibatch);
        PpoBatch rollout = evaluation.Rollout;
        var (spanIds, spanCount) = GlobalSpanIds(minibatch, evaluation.Tokens.Width, rollout.Mask.Device);
        Tensor tokenLosses = Ppo.ActorLossPerToken(evaluation.LogProbs, rollout.OldLogProbs, rollout.Advantages, ppo.ClipEpsilon);
        var normalizer = MaskedNormalizer.For(rollout.Mask);
        Tensor value = Ppo.ValueLoss(evaluation.Values, rollout.OldValues, rollout.Returns, rollout.Mask, ppo.ValueClip, normalizer);
        Tensor entropy = MaskedMean.Reduce(evaluation.Entropies, rollout.Mask, normalizer);

        Tensor actor;
        DroSolution? solution = null;
        if (spanCount == 0)
        {
            // Every response is empty: nothing to weigh; a zero that keeps the graph.
            actor = MaskedMean.Reduce(tokenLosses, rollout.Mask, normalizer);
        }
        else
        {
            SpanReweightedLoss reweighted = SpanReweighting.Loss(tokenLosses, spanIds, spanCount, Options.Set, Options.Size);
            actor = reweighted.Loss;
            solution = reweighted.Solution;
        }
        Tensor total = actor + ppo.ValueCoefficient * value - ppo.EntropyCoefficient * entropy;
        var metrics = evaluation.Metrics(total, actor, value, entropy, ppo);
        metrics["drto_spans"] = spanCount;
        metrics["drto_temperature"] = solution?.Temperature ?? double.NaN;
        metrics["drto_ess"] = solution?.EffectiveSampleSize ?? 0;
        metrics["drto_max_weight"] = solution?.MaxWeight ?? 0;
        metrics["drto_span_loss_spread"] = solution?.LossSpread ?? 0;
        return new ObjectiveLoss(scope.MoveToOuter(total), metrics);
    }

    /// <summary>
    /// Span ids [B, R] over the whole minibatch: each sample's local ids offset by the spans of the samples before it,
    /// −1 on padding. Samples prepared without span ids are split here.
    /// </summary>
    private (Tensor Ids, int Count) GlobalSpanIds(IReadOnlyList<TrainingSample> minibatch, int width, Device device)
    {
        var ids = new long[minibatch.Count * width];
        Array.Fill(ids, -1L);
        int offset = 0;
        for (int b = 0; b < minibatch.Count; b++)
        {
            TrainingSample s = minibatch[b];
            int[] local = s.SpanIds ?? SpanIds(s.Response);
            if (local.Length != s.Response.Length)
            {
                throw new ArgumentException($"sample {s.SampleId}: {local.Length} span ids for {s.Response.Length} response tokens", nameof(minibatch));
            }
            int spans = 0;
            for (int t = 0; t < local.Length; t++)
            {
                ids[b * width + t] = offset + local[t];
                spans = Math.Max(spans, local[t] + 1);
            }
            offset += spans;
        }
        return (Torch.From<long>(ids, [minibatch.Count, width], device), offset);
    }
}
