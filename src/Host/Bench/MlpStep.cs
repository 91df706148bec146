using ActorRL.Models.Tensors;

namespace ActorRL.Host.Bench;

/// <summary>
/// The MLP program of torch_bench.cpp and torch_bench.py: x[128,512] → Linear(512,2048) → exact
/// GELU → Linear(2048,512), cross-entropy against int64 classes in [0,512).
/// </summary>
public sealed class MlpStep : ITrainingStep
{
    private const long Batch = 128, In = 512, Hidden = 2048;

    private readonly Tensor w1, b1, w2, b2, x, y;
    private readonly AdamW optimizer;

    /// <summary>Draws parameters and data from libtorch's default generator, in the C++ program's order.</summary>
    public MlpStep()
    {
        w1 = BenchParameter.Random([Hidden, In], 0.02);
        b1 = BenchParameter.Random([Hidden], 0.0);
        w2 = BenchParameter.Random([In, Hidden], 0.02);
        b2 = BenchParameter.Random([In], 0.0);
        x = Torch.Randn([Batch, In]);
        y = Torch.Randint(0, In, [Batch]);
        optimizer = new AdamW([w1, b1, w2, b2], learningRate: 1e-3, weightDecay: 0.01);
    }

    /// <inheritdoc/>
    public void Run()
    {
        using var scope = new DisposeScope();
        // libtorch 1.13's C++ Optimizer::zero_grad zeroes gradients in place; so do we.
        optimizer.ZeroGrad(setToNone: false);
        Tensor h = x.Linear(w1, b1).Gelu();
        h.Linear(w2, b2).CrossEntropy(y).Backward();
        optimizer.Step();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        optimizer.Dispose();
        foreach (Tensor t in (Tensor[])[w1, b1, w2, b2, x, y]) t.Dispose();
    }
}
