namespace ActorRL.Host.Bench.Actors;

/// <summary>A message pattern timed by <see cref="ThroughputMeter"/> in batches of units.</summary>
internal interface IThroughputWorkload : IAsyncDisposable
{
    /// <summary>Messages (Tells, or channel writes) that one unit sends.</summary>
    long MessagesPerUnit { get; }

    /// <summary>Sends <paramref name="units"/> units' messages; completes when all of them have been handled.</summary>
    Task RunAsync(long units);
}
