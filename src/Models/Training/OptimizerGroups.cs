using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Training;

/// <summary>AdamW parameter groups for transformers.</summary>
public static class OptimizerGroups
{
    /// <summary>
    /// Two groups, as in GPT-2/nanoGPT training: matrices (linear and embedding weights, Dim ≥ 2) decay
    /// with <paramref name="weightDecay"/>; biases and LayerNorm parameters (Dim &lt; 2) do not decay.
    /// </summary>
    public static ParamGroup[] DecayMatricesOnly(Module model, double learningRate, double weightDecay,
        double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(model);
        var parameters = model.Parameters();
        Tensor[] decay = [.. parameters.Where(p => p.Dim >= 2)];
        Tensor[] noDecay = [.. parameters.Where(p => p.Dim < 2)];
        return
        [
            new ParamGroup(decay, learningRate, beta1, beta2, eps, weightDecay),
            new ParamGroup(noDecay, learningRate, beta1, beta2, eps, 0.0),
        ];
    }
}
