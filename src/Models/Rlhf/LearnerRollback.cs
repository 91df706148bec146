using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// A learner's state from before an update: copies of the policy's parameters and of AdamW's state (steps and
/// moments), and the policy version. An update that fails part-way (a non-finite loss in its third minibatch, a crash
/// of the role) has stepped some parameters and moments already; restoring this puts the learner back exactly where
/// the last published version left it, so that the batch trained again gives what it would have given the first time.
/// </summary>
/// <remarks>It holds a copy of the parameters and two of their size for the moments, on the policy's device, while an update is uncommitted.</remarks>
internal sealed class LearnerRollback : IDisposable
{
    private readonly List<(Tensor Target, Tensor Saved)> parameters = [];
    private readonly List<(int Group, int Index, AdamWParamState State)> optimizer = [];

    private LearnerRollback(long version) => Version = version;

    /// <summary>The policy version the rollback returns to.</summary>
    public long Version { get; }

    /// <summary>Copies the state of <paramref name="policy"/> and <paramref name="adamW"/>.</summary>
    public static LearnerRollback Capture(Module policy, AdamW adamW, long version)
    {
        var rollback = new LearnerRollback(version);
        try
        {
            using var noGrad = NoGradScope.Enter();
            // Frees the temporaries; the copies are taken out of it and live until Dispose.
            using var temporaries = new DisposeScope();
            foreach (Tensor parameter in policy.Parameters()) rollback.parameters.Add((parameter, Keep(temporaries, parameter.Detach().Clone())!));
            for (int g = 0; g < adamW.Groups.Count; g++)
            {
                for (int i = 0; i < adamW.Groups[g].Parameters.Count; i++)
                {
                    // The state's tensors share the optimizer's storage, which the next step updates in place: copy them.
                    AdamWParamState live = adamW.GetState(g, i);
                    rollback.optimizer.Add((g, i, new AdamWParamState(live.Step, Keep(temporaries, live.ExpAvg?.Clone()), Keep(temporaries, live.ExpAvgSq?.Clone()))));
                }
            }
            return rollback;
        }
        catch
        {
            rollback.Dispose();
            throw;
        }
    }

    // Takes a copy out of the temporaries' scope, and out of any scope around it: the rollback owns it.
    private static Tensor? Keep(DisposeScope temporaries, Tensor? tensor)
    {
        if (tensor is null) return null;
        temporaries.Release(tensor);
        return tensor;
    }

    /// <summary>Puts the captured parameters and optimizer state back (gradients are dropped).</summary>
    public void Restore(AdamW adamW)
    {
        using var noGrad = NoGradScope.Enter();
        foreach ((Tensor target, Tensor saved) in parameters) target.CopyInPlace(saved);
        foreach ((int group, int index, AdamWParamState state) in optimizer) adamW.SetState(group, index, state);
        adamW.ZeroGrad();
    }

    /// <summary>Frees the copies.</summary>
    public void Dispose()
    {
        foreach ((_, Tensor saved) in parameters) saved.Dispose();
        foreach ((_, _, AdamWParamState state) in optimizer)
        {
            state.ExpAvg?.Dispose();
            state.ExpAvgSq?.Dispose();
        }
        parameters.Clear();
        optimizer.Clear();
    }
}
