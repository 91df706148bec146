using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf.Tasks;

/// <summary>Scores token sequences with a <see cref="RewardModel"/> in batches.</summary>
public static class RewardModelScoring
{
    /// <summary>
    /// The reward of each sequence (prompt and response together, as the reward model was trained on them). Sequences
    /// are right-padded with <paramref name="padId"/> under an attention mask, so the model reads each at its last real
    /// token. Runs in eval mode without gradients; the model's mode is restored.
    /// </summary>
    /// <exception cref="ArgumentException">A sequence is empty or longer than the model's context.</exception>
    public static double[] Score(RewardModel model, IReadOnlyList<int[]> sequences, int padId, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        foreach (int[] s in sequences)
        {
            if (s is null || s.Length == 0 || s.Length > model.Config.ContextLength)
            {
                throw new ArgumentException($"every sequence needs 1 to {model.Config.ContextLength} tokens", nameof(sequences));
            }
        }
        var rewards = new double[sequences.Count];
        if (sequences.Count == 0) return rewards;
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using var noGrad = NoGradScope.Enter();
            Device device = model.Parameters()[0].Device;
            for (int start = 0; start < sequences.Count; start += batchSize)
            {
                using var scope = new DisposeScope();
                int count = Math.Min(batchSize, sequences.Count - start);
                int width = 0;
                for (int b = 0; b < count; b++) width = Math.Max(width, sequences[start + b].Length);
                var ids = new long[count * width];
                var mask = new long[count * width];
                Array.Fill(ids, padId);
                for (int b = 0; b < count; b++)
                {
                    int[] s = sequences[start + b];
                    for (int t = 0; t < s.Length; t++)
                    {
                        ids[(b * width) + t] = s[t];
                        mask[(b * width) + t] = 1;
                    }
                }
                Tensor scores = model.Forward(Torch.From<long>(ids, [count, width], device), Torch.From<long>(mask, [count, width], device));
                float[] values = scores.To(ScalarType.Float32).To(Device.Cpu).ToArray<float>();
                for (int b = 0; b < count; b++) rewards[start + b] = values[b];
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return rewards;
    }
}
