using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace ActorRL.Actors.Tests.Cluster;

/// <summary>The RabbitMQ fixture runs a real broker: messages go through, only its own account gets in, data survives a restart, nothing is left behind.</summary>
public sealed class RabbitMqServerTests(RabbitMqServer server) : IClassFixture<RabbitMqServer>
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(10);

    private static string QueueName(string what) => $"actorrl-test-{what}-{Guid.NewGuid():N}";

    private static CreateChannelOptions WithConfirms => new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    [Fact]
    public async Task AMessagePublishedToADurableQueueIsConsumedAndAckedManually()
    {
        string queue = QueueName("consume");
        await using IConnection connection = await server.CreateConnectionFactory().CreateConnectionAsync();
        await using IChannel channel = await connection.CreateChannelAsync(WithConfirms);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true, MessageId = "m-1" }, Encoding.UTF8.GetBytes("hello broker"));

        var received = new TaskCompletionSource<(string Body, string? MessageId, bool Redelivered)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            received.TrySetResult((Encoding.UTF8.GetString(delivery.Body.Span), delivery.BasicProperties.MessageId, delivery.Redelivered));
        };
        string tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer);

        var (body, messageId, redelivered) = await received.Task.WaitAsync(DeliveryTimeout);
        Assert.Equal("hello broker", body);
        Assert.Equal("m-1", messageId);
        Assert.False(redelivered);
        await channel.BasicCancelAsync(tag);
        await channel.CloseAsync();

        // Closing the channel would have requeued an unacked message: the queue is empty because the ack went through.
        await using IChannel check = await connection.CreateChannelAsync();
        QueueDeclareOk state = await check.QueueDeclarePassiveAsync(queue);
        Assert.Equal(0u, state.MessageCount);
        Assert.Null(await check.BasicGetAsync(queue, autoAck: false));
        await check.QueueDeleteAsync(queue);
    }

    [Fact]
    public async Task TheAmqpUriConnectsToTheDefaultVirtualHost()
    {
        Assert.Equal($"amqp://actorrl:{server.Password}@127.0.0.1:{server.Port}/%2F", server.AmqpUri);
        var factory = new ConnectionFactory { Uri = new Uri(server.AmqpUri) };
        Assert.Equal("/", factory.VirtualHost);
        await using IConnection connection = await factory.CreateConnectionAsync();
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task TheGuestAccountDoesNotExist()
    {
        ConnectionFactory factory = server.CreateConnectionFactory();
        factory.UserName = "guest";
        factory.Password = "guest";
        await AssertAuthenticationRefusedAsync(factory);
    }

    [Fact]
    public async Task TheFixturesAccountIsTheOnlyOne()
    {
        string json = await server.RabbitMqCtlAsync("list_users", "--quiet", "--formatter", "json");
        using JsonDocument users = JsonDocument.Parse(json);
        Assert.Equal(["actorrl"], users.RootElement.EnumerateArray().Select(u => u.GetProperty("user").GetString()));
    }

    [Fact]
    public async Task AWrongPasswordIsRefused()
    {
        ConnectionFactory factory = server.CreateConnectionFactory();
        factory.Password = server.Password + "-wrong";
        await AssertAuthenticationRefusedAsync(factory);
    }

    [Fact]
    public async Task APersistentMessageInADurableQueueSurvivesStopAndStart()
    {
        string queue = QueueName("restart");
        int port = server.Port;
        await using (IConnection connection = await server.CreateConnectionFactory().CreateConnectionAsync())
        await using (IChannel channel = await connection.CreateChannelAsync(WithConfirms))
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            // With confirms on, the publish returns once the broker has taken the message.
            await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes("kept"));
        }

        await server.StopAsync();
        try
        {
            Assert.False(server.Running);
            var down = server.CreateConnectionFactory();
            down.AutomaticRecoveryEnabled = false;
            await Assert.ThrowsAsync<BrokerUnreachableException>(() => down.CreateConnectionAsync());
        }
        finally
        {
            await server.StartAsync();
        }

        Assert.True(server.Running);
        Assert.Equal(port, server.Port);
        await using IConnection again = await server.CreateConnectionFactory().CreateConnectionAsync();
        await using IChannel readBack = await again.CreateChannelAsync();
        BasicGetResult? message = await readBack.BasicGetAsync(queue, autoAck: true);
        Assert.NotNull(message);
        Assert.Equal("kept", Encoding.UTF8.GetString(message.Body.Span));
        Assert.True(message.BasicProperties.Persistent);
        await readBack.QueueDeleteAsync(queue);
    }

    [Fact]
    public async Task AKilledBrokerDropsItsConnectionsAndStartsAgain()
    {
        ConnectionFactory factory = server.CreateConnectionFactory();
        factory.AutomaticRecoveryEnabled = false;
        await using IConnection connection = await factory.CreateConnectionAsync();
        var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, args) =>
        {
            closed.TrySetResult(args);
            return Task.CompletedTask;
        };

        await server.KillAsync();
        try
        {
            Assert.False(server.Running);
            ShutdownEventArgs shutdown = await closed.Task.WaitAsync(DeliveryTimeout);
            Assert.Equal(ShutdownInitiator.Library, shutdown.Initiator); // the socket died; the broker never said goodbye
            await Assert.ThrowsAsync<BrokerUnreachableException>(() => factory.CreateConnectionAsync());
        }
        finally
        {
            await server.StartAsync();
        }

        await using IConnection again = await factory.CreateConnectionAsync();
        Assert.True(again.IsOpen);
    }

    [Fact]
    public async Task DisposeLeavesNoProcessOfTheInstanceBehind()
    {
        var own = new RabbitMqServer();
        List<(int Pid, int Parent, string Args)> before;
        try
        {
            await own.InitializeAsync();
            Assert.NotEqual(server.Port, own.Port);
            before = InstanceProcesses(Ps(), own);
            // The broker's VM, its port helper and epmd at least; inet_gethost comes and goes with name lookups.
            Assert.Contains(before, p => p.Args.Contains("beam.smp", StringComparison.Ordinal));
            Assert.Contains(before, p => p.Args.StartsWith("erl_child_setup", StringComparison.Ordinal));
            Assert.Contains(before, p => p.Args.Contains($"epmd -port {own.EpmdPort} ", StringComparison.Ordinal));
        }
        finally
        {
            await own.DisposeAsync();
        }

        List<(int Pid, int Parent, string Args)> after = Ps();
        Assert.Empty(InstanceProcesses(after, own));
        Assert.DoesNotContain(after, p => before.Any(b => b.Pid == p.Pid && b.Args == p.Args));
        Assert.DoesNotContain(after, p => p.Args.Contains(own.Folder, StringComparison.Ordinal) ||
                                          p.Args.Contains($"-epmd_port {own.EpmdPort}", StringComparison.Ordinal) ||
                                          p.Args.Contains($"-port {own.EpmdPort}", StringComparison.Ordinal));
        Assert.False(Directory.Exists(own.Folder));
    }

    private static async Task AssertAuthenticationRefusedAsync(ConnectionFactory factory)
    {
        factory.AutomaticRecoveryEnabled = false;
        var error = await Assert.ThrowsAsync<BrokerUnreachableException>(() => factory.CreateConnectionAsync());
        Assert.IsType<AuthenticationFailureException>(error.InnerException);
        Assert.Contains("ACCESS_REFUSED", error.InnerException.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The processes of an instance: the beam (its command line names the epmd port and the folder), epmd by its port,
    /// and their descendants, which have nothing telling in their command lines (erl_child_setup, inet_gethost).
    /// </summary>
    private static List<(int Pid, int Parent, string Args)> InstanceProcesses(List<(int Pid, int Parent, string Args)> all, RabbitMqServer instance)
    {
        var parents = all.ToDictionary(p => p.Pid, p => p.Parent);
        var roots = all.Where(p => p.Args.Contains($"-epmd_port {instance.EpmdPort} ", StringComparison.Ordinal) ||
                                   p.Args.Contains($"epmd -port {instance.EpmdPort} ", StringComparison.Ordinal) ||
                                   p.Args.Contains(instance.Folder, StringComparison.Ordinal))
            .Select(p => p.Pid).ToHashSet();
        bool Descends(int pid)
        {
            for (int hops = 0; pid > 1 && hops < 64; hops++)
            {
                if (roots.Contains(pid)) return true;
                if (!parents.TryGetValue(pid, out pid)) return false;
            }
            return false;
        }
        return all.Where(p => Descends(p.Pid)).ToList();
    }

    private static List<(int Pid, int Parent, string Args)> Ps()
    {
        var start = new ProcessStartInfo("ps") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in (string[])["-eo", "pid=,ppid=,args="]) start.ArgumentList.Add(a);
        using Process ps = Process.Start(start)!;
        string output = ps.StandardOutput.ReadToEnd();
        ps.WaitForExit();
        Assert.Equal(0, ps.ExitCode);
        var rows = new List<(int, int, string)>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3) continue;
            rows.Add((int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2].Trim()));
        }
        return rows;
    }
}
