namespace ActorRL.Host.Bench.Model;

/// <summary>How much <c>actorrl bench model</c> measures.</summary>
/// <param name="Threads">Intra-op threads, the same for C# and Python.</param>
/// <param name="Rounds">Runs of each implementation, taken in turn.</param>
/// <param name="TrainWarmup">Untimed training steps at the start of each run.</param>
/// <param name="TrainSteps">Timed training steps per run.</param>
/// <param name="GenerateWarmup">Untimed generations (with the KV cache) at the start of each run.</param>
/// <param name="GenerateRuns">Timed generations with the KV cache per run.</param>
/// <param name="NoCacheRuns">Timed C# generations without the KV cache, one in each of the first rounds: each
/// re-runs the whole sequence for every new token, so one costs as much as dozens with the cache.</param>
public sealed record ModelBenchSettings(
    int Threads,
    int Rounds = 3,
    int TrainWarmup = 1,
    int TrainSteps = 3,
    int GenerateWarmup = 1,
    int GenerateRuns = 2,
    int NoCacheRuns = 1);
