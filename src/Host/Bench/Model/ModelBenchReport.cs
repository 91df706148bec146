using ActorRL.Host.Diagnostics;
using ActorRL.Models.Nn;

namespace ActorRL.Host.Bench.Model;

/// <summary>The result of <c>actorrl bench model</c>, as written to its JSON file.</summary>
/// <param name="Timestamp">When the run finished, in UTC (ISO 8601).</param>
/// <param name="Machine">Processor, cores, operating system, runtime.</param>
/// <param name="Blas">The BLAS libraries mapped into this process (resolved paths).</param>
/// <param name="LibtorchVersion">The libtorch ActorRL's binding uses.</param>
/// <param name="PythonTorchVersion">The PyTorch the Python side uses.</param>
/// <param name="Settings">Threads, rounds, warm-up and timed steps and runs.</param>
/// <param name="Model">The model's size.</param>
/// <param name="Workload">The batch, the prompts and the optimizer settings.</param>
/// <param name="MedianMs">Medians over every timed sample of every round.</param>
/// <param name="Ratios">The figures the benchmark exists for, with their goals.</param>
/// <param name="Checks">Whether both sides computed the same thing.</param>
/// <param name="SamplesMs">Every timed sample, pooled over the rounds.</param>
public sealed record ModelBenchReport(
    string Timestamp,
    MachineInfo Machine,
    IReadOnlyList<string> Blas,
    string LibtorchVersion,
    string PythonTorchVersion,
    ModelBenchSettings Settings,
    ModelBenchModel Model,
    ModelBenchWorkloadInfo Workload,
    ModelBenchMedians MedianMs,
    ModelBenchRatios Ratios,
    ModelBenchChecks Checks,
    IReadOnlyDictionary<string, IReadOnlyList<double>> SamplesMs);

/// <summary>The model's size.</summary>
/// <param name="Config">Vocabulary, context, layers, heads, width.</param>
/// <param name="ParameterCount">Parameter elements, the tied LM head counted once.</param>
public sealed record ModelBenchModel(GptConfig Config, long ParameterCount);

/// <summary>The work, in numbers.</summary>
/// <param name="Seed">Seeds the weights and the token ids.</param>
/// <param name="TrainBatch">Examples per SFT step (one micro-batch).</param>
/// <param name="TrainPromptTokens">Prompt tokens per example (no loss on them).</param>
/// <param name="TrainResponseTokens">Response tokens per example.</param>
/// <param name="GeneratePrompts">Prompts per generation.</param>
/// <param name="GeneratePromptTokens">Tokens per prompt.</param>
/// <param name="NewTokens">Greedy tokens generated per prompt.</param>
/// <param name="Optimizer">AdamW, clipping and learning-rate schedule of the SFT step.</param>
public sealed record ModelBenchWorkloadInfo(int Seed, int TrainBatch, int TrainPromptTokens, int TrainResponseTokens,
    int GeneratePrompts, int GeneratePromptTokens, int NewTokens, OptimizerSettings Optimizer);

/// <summary>Median milliseconds.</summary>
/// <param name="TrainStepCsharp">One SFT step through <c>SftTrainer.TrainStep</c>.</param>
/// <param name="TrainStepPython">The same step in PyTorch.</param>
/// <param name="GenerateCsharp">One batch generation through <c>Generator.Generate</c> with the KV cache.</param>
/// <param name="GeneratePython">The same with PyTorch's KV-cache loop.</param>
/// <param name="GenerateNoCacheCsharp"><c>Generator.Generate</c> without the KV cache.</param>
public sealed record ModelBenchMedians(double TrainStepCsharp, double TrainStepPython, double GenerateCsharp,
    double GeneratePython, double GenerateNoCacheCsharp);

/// <summary>The ratios of medians.</summary>
/// <param name="TrainStepOverPython">C# SFT step / Python SFT step (goal: 1.0 or less).</param>
/// <param name="GenerateOverPython">C# generation / Python generation, both with the KV cache (goal: 1.0 or less).</param>
/// <param name="KvSpeedup">C# generation without the cache / with it (goal: 3 or more).</param>
public sealed record ModelBenchRatios(double TrainStepOverPython, double GenerateOverPython, double KvSpeedup)
{
    /// <summary>The goal of <see cref="TrainStepOverPython"/> and <see cref="GenerateOverPython"/>: at most this.</summary>
    public const double OverPythonGoal = 1.0;

    /// <summary>The goal of <see cref="KvSpeedup"/>: at least this.</summary>
    public const double KvSpeedupGoal = 3.0;
}

/// <summary>Whether the two implementations computed the same thing from the same weights and data.</summary>
/// <param name="FirstLossCsharp">Loss of C#'s first SFT step in the first round.</param>
/// <param name="FirstLossPython">Loss of Python's first SFT step in the first round.</param>
/// <param name="LossRelativeDifference">|C# − Python| / |Python|.</param>
/// <param name="LossTolerance">The largest relative difference that counts as agreement.</param>
/// <param name="LossAgrees">Whether the difference is within the tolerance.</param>
/// <param name="TokensCsharp">The first prompt's greedy tokens from C# (with the KV cache).</param>
/// <param name="TokensPython">The same from Python.</param>
/// <param name="TokensAgree">Whether both are identical.</param>
/// <param name="LogProbMaxDifference">The largest |C# − Python| of those tokens' log-probabilities, or null when the tokens differ.</param>
/// <param name="LogProbsAgree">Whether it is within <paramref name="LossTolerance"/>.</param>
/// <param name="NoCacheTokensAgree">Whether C# without the KV cache produced the same tokens as with it.</param>
public sealed record ModelBenchChecks(double FirstLossCsharp, double FirstLossPython, double LossRelativeDifference,
    double LossTolerance, bool LossAgrees, IReadOnlyList<int> TokensCsharp, IReadOnlyList<int> TokensPython, bool TokensAgree,
    double? LogProbMaxDifference, bool LogProbsAgree, bool NoCacheTokensAgree);
