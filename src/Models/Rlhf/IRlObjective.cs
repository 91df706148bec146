using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// An RL objective in two halves: <see cref="Prepare"/> runs in the objective actor and turns scored rollouts into a
/// training batch (token rewards, advantages, spans, calibrated rewards); <see cref="Loss"/> runs in the learner on
/// each minibatch of that batch. Created by name through <c>RlObjectives.Create</c>.
/// </summary>
public interface IRlObjective
{
    /// <summary>The registry name (<c>ppo</c>, <c>rto</c>, <c>drto</c>, <c>rcfd</c>).</summary>
    string Name { get; }

    /// <summary>Whether the reference role must also score rollouts under the DPO model (RTO, DRTO).</summary>
    bool NeedsDpoModel { get; }

    /// <summary>Whether the reward role must also return the demonstration's rewards (RCfD).</summary>
    bool NeedsDemonstrationRewards { get; }

    /// <summary>Whether the policy trains a value head (the critic of GAE).</summary>
    bool TrainsCritic { get; }

    /// <summary>Turns one step's scored rollouts into the learner's batch; pure, without gradients.</summary>
    TrainingBatch Prepare(long batchId, IReadOnlyList<ScoredRollout> batch);

    /// <summary>The loss of one minibatch under the current policy, with its graph, and its diagnostics.</summary>
    ObjectiveLoss Loss(CausalLM policy, IReadOnlyList<TrainingSample> minibatch);
}

/// <summary>A minibatch loss with its graph and the figures that describe it (clip_fraction, drto_temperature, …).</summary>
/// <param name="Loss">The scalar to backpropagate; the caller disposes it.</param>
/// <param name="Metrics">Diagnostics in snake_case.</param>
public sealed record ObjectiveLoss(Tensor Loss, IReadOnlyDictionary<string, double> Metrics);
