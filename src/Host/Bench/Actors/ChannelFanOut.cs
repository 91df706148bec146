using System.Threading.Channels;

namespace ActorRL.Host.Bench.Actors;

/// <summary>
/// The reference for <see cref="ActorFanOut"/>: the same producer loop writing to N unbounded
/// single-reader channels, each drained by its own task looping on <see cref="ChannelReader{T}.ReadAsync"/>.
/// </summary>
internal sealed class ChannelFanOut(int consumers) : IThroughputWorkload
{
    private static readonly UnboundedChannelOptions SingleReader = new() { SingleReader = true };

    public long MessagesPerUnit => consumers;

    public Task RunAsync(long units)
    {
        var writers = new ChannelWriter<Ball>[consumers];
        var counted = new Task[consumers];
        for (int i = 0; i < consumers; i++)
        {
            Channel<Ball> channel = Channel.CreateUnbounded<Ball>(SingleReader);
            writers[i] = channel.Writer;
            counted[i] = Task.Run(() => CountAsync(channel.Reader, units));
        }
        for (long u = 0; u < units; u++)
        {
            foreach (ChannelWriter<Ball> writer in writers) writer.TryWrite(Ball.Instance);
        }
        return Task.WhenAll(counted);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async Task CountAsync(ChannelReader<Ball> balls, long units)
    {
        for (long i = 0; i < units; i++) await balls.ReadAsync();
    }
}
