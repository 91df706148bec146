using System.Net;
using ActorRL.Actors.Cluster;
using ActorRL.Host.Hosting;

namespace ActorRL.Host.Configuration;

/// <summary>
/// Section <c>cluster</c>: the same run across several machines. Absent (no <c>name</c>), the run is one process. With
/// it, every machine starts <c>actorrl node --roles ...</c> with the same file, and <c>actorrl train</c> asks the cluster
/// to run it. The broker's password is best given as <c>ACTORRL_CLUSTER__BROKER__PASSWORD</c>.
/// </summary>
public sealed record ClusterConfig
{
    /// <summary>The cluster's name (its queues and exchanges on the broker are named after it); empty: no cluster.</summary>
    public string Name { get; init; } = "";

    /// <summary>The RabbitMQ broker.</summary>
    public BrokerConfig Broker { get; init; } = new();

    /// <summary>The run journal's PostgreSQL database (an Npgsql connection string), shared by the coordinator nodes.</summary>
    public string Journal { get; init; } = "";

    /// <summary>Seconds between a node's heartbeats.</summary>
    public double HeartbeatIntervalS { get; init; } = 1;

    /// <summary>Seconds without a heartbeat before a node is marked down.</summary>
    public double FailureTimeoutS { get; init; } = 5;

    /// <summary>The largest message a node sends or accepts, in bytes.</summary>
    public int MaxMessageBytes { get; init; } = 64 << 20;

    /// <summary>Whether the run is on a cluster.</summary>
    public bool Enabled => Name.Length > 0;

    /// <summary>
    /// Throws <see cref="InvalidConfigurationException"/> naming the first invalid key (nothing to check without a name).
    /// The secrets (<c>cluster.broker.password</c>, and <c>cluster.journal</c>, which holds one) usually come from the
    /// environment of the machine that joins: <see cref="CheckCredentials"/> checks them where they are needed.
    /// </summary>
    public void Validate()
    {
        if (!Enabled) return;
        if (!(HeartbeatIntervalS > 0)) throw new InvalidConfigurationException("cluster.heartbeat_interval_s", $"must be positive, not {HeartbeatIntervalS}");
        if (!(FailureTimeoutS >= 2 * HeartbeatIntervalS))
        {
            throw new InvalidConfigurationException("cluster.failure_timeout_s", $"must be at least twice cluster.heartbeat_interval_s ({HeartbeatIntervalS}), not {FailureTimeoutS}");
        }
        Check(Settings("check", []) with { Broker = new BrokerSettings(Broker.Host, Broker.Port, Broker.Vhost, "user", "password") });
    }

    /// <summary>Throws <see cref="InvalidConfigurationException"/> unless the broker account and the journal are given
    /// (and the guest account is used only with a broker on this machine).</summary>
    public void CheckCredentials()
    {
        Check(Settings("check", []));
        if (string.IsNullOrWhiteSpace(Journal))
        {
            throw new InvalidConfigurationException("cluster.journal",
                "is required on a cluster: the PostgreSQL connection string of the run journal the coordinator nodes share (or ACTORRL_CLUSTER__JOURNAL)");
        }
    }

    // ClusterSettings' messages start with the key they are about ("cluster.broker.port must be ...").
    private static void Check(ClusterSettings settings)
    {
        try
        {
            settings.Validate();
        }
        catch (ArgumentException e)
        {
            string first = e.Message.Split(' ', 2)[0];
            string key = first.TrimEnd(':');
            string message = first.EndsWith(':') ? e.Message[first.Length..].TrimStart() : e.Message;
            throw new InvalidConfigurationException(key.StartsWith("cluster.", StringComparison.Ordinal) ? key : "cluster", message);
        }
    }

    /// <summary>The settings of the node <paramref name="node"/> with <paramref name="roles"/>.</summary>
    public ClusterSettings Settings(string node, IReadOnlyList<string> roles) => new()
    {
        ClusterName = Name,
        NodeName = node,
        Roles = roles,
        Broker = new BrokerSettings(Broker.Host, Broker.Port, Broker.Vhost, Broker.User, Broker.Password),
        HeartbeatInterval = TimeSpan.FromSeconds(HeartbeatIntervalS),
        FailureTimeout = TimeSpan.FromSeconds(FailureTimeoutS),
        MaxMessageBytes = MaxMessageBytes,
    };

    /// <summary>A node name for this process: the machine's name, unless given.</summary>
    public static string DefaultNodeName() => new([.. Dns.GetHostName().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
}

/// <summary>Section <c>cluster.broker</c>: where RabbitMQ runs and the account the nodes join with.</summary>
public sealed record BrokerConfig
{
    /// <summary>Host name or address.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>AMQP port.</summary>
    public int Port { get; init; } = BrokerSettings.DefaultPort;

    /// <summary>The virtual host.</summary>
    public string Vhost { get; init; } = "/";

    /// <summary>The account; no default (the guest account is accepted only for a broker on this machine).</summary>
    public string User { get; init; } = "";

    /// <summary>The password; give it as ACTORRL_CLUSTER__BROKER__PASSWORD rather than in the file.</summary>
    public string Password { get; init; } = "";
}
