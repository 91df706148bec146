using ActorRL.Models.Training;

namespace ActorRL.Host.Bench.Model;

/// <summary>The SFT trainer's optimization settings, read from a real <see cref="SftTrainer"/> so that the
/// Python step uses exactly what ActorRL uses: AdamW over two groups (matrices decay, vectors do not),
/// global gradient-norm clipping, and the scheduled learning rate.</summary>
/// <param name="Schedule">Learning rate over steps.</param>
/// <param name="WeightDecay">Decay of the matrices' group.</param>
/// <param name="GradClip">Global gradient-norm limit.</param>
/// <param name="Beta1">AdamW's first-moment decay.</param>
/// <param name="Beta2">AdamW's second-moment decay.</param>
/// <param name="Eps">AdamW's denominator term.</param>
public sealed record OptimizerSettings(WarmupCosineSchedule Schedule, double WeightDecay, double GradClip, double Beta1, double Beta2, double Eps);

/// <summary>The model both languages load.</summary>
/// <param name="WeightsPath">The safetensors file with every parameter under its nanoGPT name (the tied head once, as
/// <c>transformer.wte.weight</c>).</param>
/// <param name="ParameterCount">Parameter elements (the tied head counted once).</param>
/// <param name="Optimizer">The trainer's settings, for the Python step.</param>
public sealed record SavedModel(string WeightsPath, long ParameterCount, OptimizerSettings Optimizer);
