namespace ActorRL.Host.Bench.Model;

/// <summary>One implementation of the <c>actorrl bench model</c> work (C# through ActorRL, or Python with PyTorch).</summary>
public interface IModelRunner
{
    /// <summary>Short key used in the JSON report: <c>csharp</c> or <c>python</c>.</summary>
    string Key { get; }

    /// <summary>What the table calls it.</summary>
    string Title { get; }

    /// <summary>How it runs the work.</summary>
    string Description { get; }

    /// <summary>Loads the saved weights and times generation, then training, as the settings say.</summary>
    /// <param name="round">The 0-based round (C# measures generation without the cache only in the first rounds).</param>
    /// <param name="progress">Told what the run is doing, if the runner can tell.</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    Task<ModelRunTimes> RunAsync(int round, IModelBenchProgress? progress, CancellationToken cancellationToken);
}
