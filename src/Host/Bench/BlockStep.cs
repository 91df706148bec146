using ActorRL.Models.Tensors;

namespace ActorRL.Host.Bench;

/// <summary>
/// The GPT block program of torch_bench.cpp and torch_bench.py: a pre-LayerNorm transformer block
/// on x[8,128,256] with 4 causal attention heads and an MLP of width 1024 (exact GELU); the loss
/// is the mean squared error to a random target.
/// </summary>
public sealed class BlockStep : ITrainingStep
{
    private const long Batch = 8, Seq = 128, Width = 256, Heads = 4, HeadWidth = Width / Heads;

    private readonly Tensor ln1w, ln1b, wqkv, bqkv, wo, bo, ln2w, ln2b, wfc, bfc, wproj, bproj;
    private readonly Tensor mask, x, target;
    private readonly AdamW optimizer;

    /// <summary>Draws parameters and data from libtorch's default generator, in the C++ program's order.</summary>
    public BlockStep()
    {
        ln1w = Torch.Ones([Width], requiresGrad: true);
        ln1b = Torch.Zeros([Width], requiresGrad: true);
        wqkv = BenchParameter.Random([3 * Width, Width], 0.02);
        bqkv = BenchParameter.Random([3 * Width], 0.0);
        wo = BenchParameter.Random([Width, Width], 0.02);
        bo = BenchParameter.Random([Width], 0.0);
        ln2w = Torch.Ones([Width], requiresGrad: true);
        ln2b = Torch.Zeros([Width], requiresGrad: true);
        wfc = BenchParameter.Random([4 * Width, Width], 0.02);
        bfc = BenchParameter.Random([4 * Width], 0.0);
        wproj = BenchParameter.Random([Width, 4 * Width], 0.02);
        bproj = BenchParameter.Random([Width], 0.0);
        using (Tensor ones = Torch.Ones([Seq, Seq], ScalarType.Bool))
        using (Tensor lower = ones.Tril())
        {
            mask = lower.LogicalNot();
        }
        x = Torch.Randn([Batch, Seq, Width]);
        target = Torch.Randn([Batch, Seq, Width]);
        optimizer = new AdamW([ln1w, ln1b, wqkv, bqkv, wo, bo, ln2w, ln2b, wfc, bfc, wproj, bproj],
            learningRate: 1e-3, weightDecay: 0.01);
    }

    /// <inheritdoc/>
    public void Run()
    {
        using var scope = new DisposeScope();
        // libtorch 1.13's C++ Optimizer::zero_grad zeroes gradients in place; so do we.
        optimizer.ZeroGrad(setToNone: false);
        Loss().Backward();
        optimizer.Step();
    }

    private Tensor Loss()
    {
        Tensor h = x + Attention(x.LayerNorm([Width], ln1w, ln1b, 1e-5));
        Tensor m = h.LayerNorm([Width], ln2w, ln2b, 1e-5).Linear(wfc, bfc).Gelu().Linear(wproj, bproj);
        Tensor output = h + m;
        return (output - target).Pow(2).Mean();
    }

    private Tensor Attention(Tensor h)
    {
        Tensor qkv = h.Linear(wqkv, bqkv);
        Tensor q = Head(qkv, 0), k = Head(qkv, 1), v = Head(qkv, 2);
        Tensor att = q.MatMul(k.Transpose(-2, -1)) * (1.0 / Math.Sqrt(HeadWidth));
        att = att.MaskedFill(mask, double.NegativeInfinity).Softmax(-1);
        Tensor y = att.MatMul(v).Transpose(1, 2).Contiguous().View(Batch, Seq, Width);
        return y.Linear(wo, bo);
    }

    // Head i of q, k, v: [Batch, Heads, Seq, HeadWidth], a view into the fused projection.
    private static Tensor Head(Tensor qkv, long i) =>
        qkv.Narrow(2, i * Width, Width).View(Batch, Seq, Heads, HeadWidth).Transpose(1, 2);

    /// <inheritdoc/>
    public void Dispose()
    {
        optimizer.Dispose();
        foreach (Tensor t in (Tensor[])[ln1w, ln1b, wqkv, bqkv, wo, bo, ln2w, ln2b, wfc, bfc, wproj, bproj, mask, x, target])
        {
            t.Dispose();
        }
    }
}
