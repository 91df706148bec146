namespace ActorRL.Host.Bench.Actors;

/// <summary>A request/response pattern timed one round trip at a time by <see cref="LatencyMeter"/>.</summary>
internal interface ILatencyWorkload : IAsyncDisposable
{
    /// <summary>Sends one request; completes when its response has arrived.</summary>
    Task RoundTripAsync();
}
