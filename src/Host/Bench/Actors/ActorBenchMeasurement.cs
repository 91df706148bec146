namespace ActorRL.Host.Bench.Actors;

/// <summary>One workload in one version: what <c>actorrl bench actors</c> runs once per round.</summary>
/// <param name="Benchmark">The workload: <c>pingpong</c>, <c>pingpong_pairs</c>, <c>fanout</c> or <c>ask</c>.</param>
/// <param name="Version"><see cref="ActorBench.Actor"/> or <see cref="ActorBench.Channel"/>.</param>
/// <param name="Description">What runs, for progress and tables.</param>
/// <param name="RunAsync">Runs it once, from a fresh actor system (or fresh channels) that is gone when the
/// task completes, and returns its figures by their names in the report.</param>
public sealed record ActorBenchMeasurement(
    string Benchmark,
    string Version,
    string Description,
    Func<ActorBenchSettings, CancellationToken, Task<IReadOnlyDictionary<string, double>>> RunAsync);
