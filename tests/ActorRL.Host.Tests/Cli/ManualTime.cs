namespace ActorRL.Host.Tests.Cli;

/// <summary>A clock that shows what the test sets.</summary>
internal sealed class ManualTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public void Advance(double seconds) => Now += TimeSpan.FromSeconds(seconds);

    public override DateTimeOffset GetUtcNow() => Now;
}
