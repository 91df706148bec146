using System.Globalization;
using ActorRL.Host.Diagnostics;
using ActorRL.Models.Tensors;

namespace ActorRL.Host.Bench.Model;

/// <summary>
/// <c>actorrl bench model</c>: one SFT step and one batch generation of a ~10M-parameter GPT, through
/// ActorRL (SftTrainer, Generator) and in PyTorch, from the same weights with the same thread count,
/// run in turn and reported as medians and ratios, with a check that both computed the same thing.
/// </summary>
public static class ModelBench
{
    /// <summary>Key of the C# implementation in results.</summary>
    public const string CSharp = "csharp";

    /// <summary>Key of the Python implementation in results.</summary>
    public const string Python = "python";

    /// <summary>The largest relative difference of the first losses that counts as agreement.</summary>
    public const double LossTolerance = 1e-4;

    /// <summary>
    /// Runs every implementation once per round, each round starting with the next one in turn so that
    /// drift over the run is spread over both; returns each implementation's runs in round order.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<ModelRunTimes>>> RunAsync(IReadOnlyList<IModelRunner> runners,
        int rounds, IModelBenchProgress? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runners);
        var runs = runners.ToDictionary(r => r.Key, _ => new List<ModelRunTimes>());
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < runners.Count; i++)
            {
                IModelRunner runner = runners[(round + i) % runners.Count];
                runs[runner.Key].Add(await runner.RunAsync(round, progress, cancellationToken));
                progress?.Finished(runner, round);
            }
        }
        return runs.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<ModelRunTimes>)kv.Value);
    }

    /// <summary>Medians, ratios and checks from the runs of <see cref="RunAsync"/>.</summary>
    public static ModelBenchReport Summarize(IReadOnlyDictionary<string, IReadOnlyList<ModelRunTimes>> runs,
        ModelBenchWorkload workload, ModelBenchSettings settings, SavedModel model, string pythonTorchVersion)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(model);
        IReadOnlyList<ModelRunTimes> csharp = runs[CSharp], python = runs[Python];
        var samples = new Dictionary<string, IReadOnlyList<double>>
        {
            ["train_step_csharp"] = [.. csharp.SelectMany(r => r.TrainMs)],
            ["train_step_python"] = [.. python.SelectMany(r => r.TrainMs)],
            ["generate_csharp"] = [.. csharp.SelectMany(r => r.GenerateMs)],
            ["generate_python"] = [.. python.SelectMany(r => r.GenerateMs)],
            ["generate_no_cache_csharp"] = [.. csharp.SelectMany(r => r.NoCacheMs)],
        };
        var medians = new ModelBenchMedians(
            Statistics.Median(samples["train_step_csharp"]),
            Statistics.Median(samples["train_step_python"]),
            Statistics.Median(samples["generate_csharp"]),
            Statistics.Median(samples["generate_python"]),
            Statistics.Median(samples["generate_no_cache_csharp"]));
        var ratios = new ModelBenchRatios(
            medians.TrainStepCsharp / medians.TrainStepPython,
            medians.GenerateCsharp / medians.GeneratePython,
            medians.GenerateNoCacheCsharp / medians.GenerateCsharp);

        ModelRunTimes c = csharp[0], p = python[0];
        double difference = Math.Abs(c.FirstLoss - p.FirstLoss) / Math.Abs(p.FirstLoss);
        bool tokensAgree = c.FirstTokens.SequenceEqual(p.FirstTokens);
        double? logProbDifference = tokensAgree
            ? c.FirstLogProbs.Zip(p.FirstLogProbs, (a, b) => Math.Abs((double)a - b)).DefaultIfEmpty(0).Max()
            : null;
        var checks = new ModelBenchChecks(c.FirstLoss, p.FirstLoss, difference, LossTolerance, difference <= LossTolerance,
            c.FirstTokens, p.FirstTokens, tokensAgree, logProbDifference, logProbDifference <= LossTolerance,
            c.NoCacheFirstTokens?.SequenceEqual(c.FirstTokens) ?? false);

        return new ModelBenchReport(
            DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            MachineInfo.Current(),
            BlasLibrary.Loaded().Select(b => b.ResolvedPath).Distinct().ToList(),
            Torch.Version,
            pythonTorchVersion,
            settings,
            new ModelBenchModel(workload.Config, model.ParameterCount),
            new ModelBenchWorkloadInfo(workload.Seed, workload.Train.Count, workload.TrainPromptTokens, workload.Train[0].Response.Length,
                workload.Prompts.Count, workload.Prompts[0].Length, workload.NewTokens, model.Optimizer),
            medians,
            ratios,
            checks,
            samples);
    }
}
