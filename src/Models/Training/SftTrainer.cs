using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Training;

/// <summary>A supervised example: the model learns to produce <paramref name="Response"/> after <paramref name="Prompt"/>.</summary>
public sealed record SftExample(int[] Prompt, int[] Response);

/// <summary>Settings of supervised fine-tuning.</summary>
public sealed record SftOptions
{
    /// <summary>Examples per optimizer step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Examples per forward/backward pass; gradients of BatchSize / MicroBatchSize passes are accumulated.</summary>
    public int MicroBatchSize { get; init; } = 16;

    /// <summary>Learning rate over steps.</summary>
    public WarmupCosineSchedule Schedule { get; init; } = new(1e-3, 1e-4, 20, 1000);

    /// <summary>Decoupled weight decay of weight matrices (biases and norms never decay).</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Global gradient-norm limit; 0 turns clipping off.</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public SftOptions Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"{nameof(BatchSize)} must be at least 1, not {BatchSize}");
        if (MicroBatchSize < 1 || BatchSize % MicroBatchSize != 0) throw new ArgumentException($"{nameof(MicroBatchSize)} ({MicroBatchSize}) must divide {nameof(BatchSize)} ({BatchSize})");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"{nameof(WeightDecay)} must be >= 0, not {WeightDecay}");
        if (!(GradClip >= 0)) throw new ArgumentException($"{nameof(GradClip)} must be >= 0, not {GradClip}");
        Schedule.Validate();
        return this;
    }
}

/// <summary>
/// Supervised fine-tuning: next-token cross-entropy on response tokens only (prompt and padding are
/// ignored), averaged over all response tokens of the whole batch even when it is split into
/// micro-batches, then clipping, the scheduled learning rate and an AdamW step.
/// </summary>
public sealed class SftTrainer : IDisposable
{
    /// <summary>The label of positions that do not count (prompt, padding).</summary>
    public const long IgnoreIndex = -100;

    private readonly CausalLM model;
    private readonly int padId;

    /// <summary>Creates the trainer and its optimizer over <paramref name="model"/>.</summary>
    public SftTrainer(CausalLM model, SftOptions options, int padId)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        Options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        this.padId = padId;
        Optimizer = new AdamW(OptimizerGroups.DecayMatricesOnly(model, options.Schedule.LearningRate(0), options.WeightDecay));
    }

    /// <summary>The settings.</summary>
    public SftOptions Options { get; }

    /// <summary>The optimizer (its state belongs in checkpoints).</summary>
    public AdamW Optimizer { get; }

    /// <summary>Optimizer steps taken so far.</summary>
    public long Step { get; set; }

    /// <summary>One optimizer step on <paramref name="batch"/>; returns the mean loss per response token.</summary>
    public double TrainStep(IReadOnlyList<SftExample> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) throw new ArgumentException("the batch is empty", nameof(batch));
        model.Train();
        long responseTokens = batch.Sum(e => (long)e.Response.Length);
        if (responseTokens == 0) throw new ArgumentException("the batch has no response tokens to learn", nameof(batch));
        double lr = Options.Schedule.LearningRate(Step);
        for (int g = 0; g < Optimizer.Groups.Count; g++) Optimizer.SetLearningRate(g, lr);

        Optimizer.ZeroGrad();
        double lossSum = 0;
        for (int start = 0; start < batch.Count; start += Options.MicroBatchSize)
        {
            using var scope = new DisposeScope();
            var micro = batch.Skip(start).Take(Options.MicroBatchSize).ToList();
            Device device = model.Transformer.TokenEmbedding.Device;
            var (ids, labels, mask) = Collate(micro, padId, device);
            Tensor logits = model.Forward(ids, mask);
            long t = ids.Size(1);
            Tensor summed = logits.Narrow(1, 0, t - 1).Reshape(-1, logits.Size(-1))
                .CrossEntropy(labels.Narrow(1, 1, t - 1).Reshape(-1), Reduction.Sum, IgnoreIndex);
            lossSum += summed.ToDouble();
            (summed / responseTokens).Backward();
        }
        if (Options.GradClip > 0) Torch.ClipGradNorm([.. model.Parameters()], Options.GradClip);
        Optimizer.Step();
        Step++;
        return lossSum / responseTokens;
    }

    /// <summary>
    /// Right-pads prompt + response into ids [B, T] with an attention mask, and labels that hold the token
    /// only where it belongs to the response (<see cref="IgnoreIndex"/> elsewhere).
    /// </summary>
    public static (Tensor Ids, Tensor Labels, Tensor Mask) Collate(IReadOnlyList<SftExample> examples, int padId, Device device)
    {
        int width = examples.Max(e => e.Prompt.Length + e.Response.Length);
        int n = examples.Count;
        var ids = new long[n * width];
        var labels = new long[n * width];
        var mask = new long[n * width];
        Array.Fill(ids, padId);
        Array.Fill(labels, IgnoreIndex);
        for (int b = 0; b < n; b++)
        {
            int row = b * width, i = 0;
            foreach (int token in examples[b].Prompt) (ids[row + i], mask[row + i++]) = (token, 1);
            foreach (int token in examples[b].Response) (ids[row + i], labels[row + i], mask[row + i++]) = (token, token, 1);
        }
        return (Torch.From<long>(ids, [n, width], device), Torch.From<long>(labels, [n, width], device), Torch.From<long>(mask, [n, width], device));
    }

    /// <summary>Frees the optimizer state.</summary>
    public void Dispose() => Optimizer.Dispose();
}
