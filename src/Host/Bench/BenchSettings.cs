namespace ActorRL.Host.Bench;

/// <summary>How much <c>actorrl bench torch</c> measures.</summary>
/// <param name="Threads">Intra-op threads, the same for every implementation.</param>
/// <param name="Warmup">Untimed steps per program at the start of each run.</param>
/// <param name="Steps">Timed steps per program per run.</param>
/// <param name="Rounds">Runs of every implementation, taken in turn.</param>
public sealed record BenchSettings(int Threads, int Warmup = 3, int Steps = 10, int Rounds = 3);
