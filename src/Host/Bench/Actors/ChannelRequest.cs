using System.Threading.Channels;

namespace ActorRL.Host.Bench.Actors;

/// <summary>
/// The reference for <see cref="ActorAsk"/>: a request carrying a <see cref="TaskCompletionSource{T}"/>
/// (continuations run asynchronously, as Ask's are) written to an unbounded single-reader channel
/// that one server task drains, completing each request with its payload.
/// </summary>
internal sealed class ChannelRequest : ILatencyWorkload
{
    private readonly Channel<Request> requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task server;

    public ChannelRequest() => server = Task.Run(ServeAsync);

    public Task RoundTripAsync()
    {
        var reply = new TaskCompletionSource<Ball>(TaskCreationOptions.RunContinuationsAsynchronously);
        requests.Writer.TryWrite(new Request(Ball.Instance, reply));
        return reply.Task;
    }

    public async ValueTask DisposeAsync()
    {
        requests.Writer.TryComplete();
        await server;
    }

    private async Task ServeAsync()
    {
        ChannelReader<Request> reader = requests.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out Request request)) request.Reply.TrySetResult(request.Payload);
        }
    }

    private readonly record struct Request(Ball Payload, TaskCompletionSource<Ball> Reply);
}
