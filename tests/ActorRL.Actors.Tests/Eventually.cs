using System.Collections.Concurrent;

namespace ActorRL.Actors.Tests;

/// <summary>Polls a condition that other threads make true; fails with a description after a generous timeout.</summary>
public static class Eventually
{
    public static async Task True(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestProbe.DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out waiting for: {what}");
            await Task.Delay(10);
        }
    }
}

/// <summary>A thread-safe, ordered record of what actors did ("PreStart a", "PostStop b"), for order assertions.</summary>
public sealed class Journal
{
    private readonly ConcurrentQueue<string> entries = new();

    public void Add(string entry) => entries.Enqueue(entry);

    public IReadOnlyList<string> Entries => [.. entries];

    public int Count(string entry) => entries.Count(e => e == entry);

    public Task WaitForAsync(string entry, int times = 1) =>
        Eventually.True(() => Count(entry) >= times, $"'{entry}' recorded {times} time(s); journal: {string.Join(", ", entries)}");
}
