using System.Threading.Channels;

namespace ActorRL.Host.Bench.Actors;

/// <summary>
/// The reference for <see cref="ActorPingPong"/>: per pair, two tasks and two unbounded single-reader
/// channels, each task looping on <see cref="ChannelReader{T}.ReadAsync"/> and writing to the other's
/// channel. This is the practical limit of the channels the mailboxes are built on.
/// </summary>
internal sealed class ChannelPingPong(int pairs) : IThroughputWorkload
{
    private static readonly UnboundedChannelOptions SingleReader = new() { SingleReader = true };

    public long MessagesPerUnit => 2L * pairs;

    public Task RunAsync(long units)
    {
        var players = new Task[2 * pairs];
        for (int i = 0; i < pairs; i++)
        {
            Channel<Ball> toPinger = Channel.CreateUnbounded<Ball>(SingleReader);
            Channel<Ball> toPonger = Channel.CreateUnbounded<Ball>(SingleReader);
            players[2 * i] = Task.Run(() => PingAsync(toPinger.Reader, toPonger.Writer, units));
            players[2 * i + 1] = Task.Run(() => PongAsync(toPonger.Reader, toPinger.Writer, units));
        }
        return Task.WhenAll(players);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // No cancellation token on ReadAsync: a cancellable read allocates a new waiter each time, which
    // the mailbox does not pay either. A cancelled run leaves these tasks waiting until the process exits.
    private static async Task PingAsync(ChannelReader<Ball> returns, ChannelWriter<Ball> partner, long units)
    {
        partner.TryWrite(Ball.Instance);
        for (long i = 1; i < units; i++) partner.TryWrite(await returns.ReadAsync());
        await returns.ReadAsync();
    }

    private static async Task PongAsync(ChannelReader<Ball> serves, ChannelWriter<Ball> partner, long units)
    {
        for (long i = 0; i < units; i++) partner.TryWrite(await serves.ReadAsync());
    }
}
