using ActorRL.Host.Bench.Transport;
using RabbitMQ.Client;

namespace ActorRL.Actors.Tests.Cluster;

/// <summary>
/// A real RabbitMQ broker for the tests: the product's <see cref="LocalRabbitMq"/> (Debian's <c>rabbitmq-server</c> on
/// free loopback ports in a temp folder, a single random account, its own foreground epmd, everything cleaned up on
/// dispose) as an xunit fixture. Properties read before <see cref="InitializeAsync"/> throw.
/// </summary>
public sealed class RabbitMqServer : IAsyncLifetime
{
    private LocalRabbitMq? broker;

    private LocalRabbitMq Broker => broker ?? throw new InvalidOperationException("the RabbitMQ fixture has not been initialized");

    /// <summary>The AMQP port the broker listens on (127.0.0.1).</summary>
    public int Port => Broker.Port;

    /// <summary>The port epmd listens on (127.0.0.1); the broker's command line carries it as <c>-epmd_port</c>.</summary>
    public int EpmdPort => Broker.EpmdPort;

    /// <summary>The Erlang distribution port of the broker node (127.0.0.1).</summary>
    public int DistributionPort => Broker.DistributionPort;

    /// <summary>The Erlang node name of the broker, unique to this instance.</summary>
    public string NodeName => Broker.NodeName;

    /// <summary>The temp folder holding the config, cookie, data and logs of this instance (the broker's HOME).</summary>
    public string Folder => Broker.Folder;

    /// <summary>The broker's only account.</summary>
    public string UserName => Broker.UserName;

    /// <summary>The random password of <see cref="UserName"/>, new for each instance.</summary>
    public string Password => Broker.Password;

    /// <summary>The virtual host the account has full permissions on.</summary>
    public string VirtualHost => Broker.VirtualHost;

    /// <summary>Whether the broker is running (started and not stopped or killed since).</summary>
    public bool Running => broker?.Running ?? false;

    /// <summary>An AMQP URI for the broker with the credentials of <see cref="UserName"/> and the vhost URL-encoded.</summary>
    public string AmqpUri => Broker.AmqpUri;

    /// <summary>A new connection factory for the broker as <see cref="UserName"/>; tests may change it freely.</summary>
    public ConnectionFactory CreateConnectionFactory() => Broker.CreateConnectionFactory();

    /// <inheritdoc/>
    public async Task InitializeAsync() => broker = await LocalRabbitMq.StartAsync(Path.GetTempPath(), CancellationToken.None);

    /// <summary>
    /// Starts the (stopped or killed) broker on the same ports with the same data, and waits until it accepts AMQP
    /// connections: durable queues and their persistent messages are back.
    /// </summary>
    public Task StartAsync() => Broker.StartAsync();

    /// <summary>Stops the broker cleanly (SIGTERM, killed after 15 s); epmd keeps running for the next <see cref="StartAsync"/>.</summary>
    public Task StopAsync() => Broker.StopAsync();

    /// <summary>Kills the broker at once (SIGKILL to the whole process tree), as a crash would; epmd keeps running.</summary>
    public Task KillAsync() => Broker.KillAsync();

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (broker is not null) await broker.DisposeAsync();
    }

    /// <summary>
    /// Runs <c>rabbitmqctl -n <see cref="NodeName"/></c> with <paramref name="args"/> against the running broker
    /// (e.g. <c>list_users</c>, <c>list_queues</c>, <c>close_all_connections</c>) and returns its standard output.
    /// </summary>
    public Task<string> RabbitMqCtlAsync(params string[] args) => Broker.RabbitMqCtlAsync(args);

    /// <summary>The last lines of the broker log (its stdout and stderr), for failure messages.</summary>
    public string ServerLogTail(int lines = 30) => Broker.ServerLogTail(lines);
}
