namespace ActorRL.Host.Bench;

/// <summary>One implementation of the benchmark programs (C#, C++ or Python) that can time their steps.</summary>
public interface IStepTimer
{
    /// <summary>Short key used in the JSON report: <c>csharp</c>, <c>cpp</c> or <c>python</c>.</summary>
    string Key { get; }

    /// <summary>What the table calls it: C#, C++ or Python.</summary>
    string Title { get; }

    /// <summary>How it runs the programs, e.g. "through the binding, in process".</summary>
    string Description { get; }

    /// <summary>Builds both programs, seeded with 0, and times warm-up plus timed steps of each.</summary>
    Task<StepTimes> MeasureAsync(BenchSettings settings, CancellationToken cancellationToken);
}
