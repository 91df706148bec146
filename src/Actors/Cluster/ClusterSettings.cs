using System.Net;
using System.Text.RegularExpressions;

namespace ActorRL.Actors.Cluster;

/// <summary>The RabbitMQ broker a cluster runs on, and the account a node joins with.</summary>
/// <param name="Host">The broker's host name or address.</param>
/// <param name="Port">Its AMQP port.</param>
/// <param name="VirtualHost">The virtual host the cluster's exchanges and queues live in.</param>
/// <param name="UserName">The account; there is no default.</param>
/// <param name="Password">Its password; never shown in messages.</param>
public sealed record BrokerSettings(string Host, int Port, string VirtualHost, string UserName, string Password)
{
    /// <summary>RabbitMQ's default AMQP port.</summary>
    public const int DefaultPort = 5672;

    /// <summary>Where the broker is, for messages: <c>host:port/vhost</c> as user, without the password.</summary>
    public override string ToString() => $"{UserName}@{Host}:{Port}{(VirtualHost.StartsWith('/') ? "" : "/")}{VirtualHost}";

    /// <summary>Whether <see cref="Host"/> is this machine's loopback (localhost, 127.0.0.0/8, ::1).</summary>
    public bool IsLoopback => Host == "localhost" || (IPAddress.TryParse(Host, out IPAddress? address) && IPAddress.IsLoopback(address));
}

/// <summary>One node's view of the cluster it joins.</summary>
public sealed partial record ClusterSettings
{
    /// <summary>The cluster's name: its exchanges and queues are named after it, so clusters on one broker stay apart.</summary>
    public required string ClusterName { get; init; }

    /// <summary>This node's name, unique in the cluster (letters, digits, '-', '_', '.').</summary>
    public required string NodeName { get; init; }

    /// <summary>The roles this node hosts (e.g. <c>rollout</c>, <c>learner</c>).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The broker and account.</summary>
    public required BrokerSettings Broker { get; init; }

    /// <summary>How often a node says it is up.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long without a heartbeat before a node is marked down.</summary>
    public TimeSpan FailureTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest message payload a node sends or accepts (64 MiB by default).</summary>
    public int MaxMessageBytes { get; init; } = 64 << 20;

    /// <summary>Checks the settings, naming the first bad one.</summary>
    /// <exception cref="ArgumentException">A setting is out of range or unsafe; the message names it.</exception>
    public void Validate()
    {
        if (!Name().IsMatch(ClusterName)) throw new ArgumentException($"cluster.name must be letters, digits, '-', '_' or '.', not '{ClusterName}'");
        if (!Name().IsMatch(NodeName)) throw new ArgumentException($"the node name must be letters, digits, '-', '_' or '.', not '{NodeName}'");
        foreach (string role in Roles)
        {
            if (!Name().IsMatch(role)) throw new ArgumentException($"a role must be letters, digits, '-', '_' or '.', not '{role}'");
        }
        ArgumentNullException.ThrowIfNull(Broker);
        if (string.IsNullOrWhiteSpace(Broker.Host)) throw new ArgumentException("cluster.broker.host is required");
        if (Broker.Port is < 1 or > 65535) throw new ArgumentException($"cluster.broker.port must be 1-65535, not {Broker.Port}");
        if (string.IsNullOrEmpty(Broker.UserName) || string.IsNullOrEmpty(Broker.Password))
        {
            throw new ArgumentException("cluster.broker.user and cluster.broker.password are required (or ACTORRL_CLUSTER__BROKER__USER / __PASSWORD): nodes join only with the broker's credentials");
        }
        // RabbitMQ itself refuses guest from other machines by default; a cluster must not depend on that default.
        if (Broker.UserName == "guest" && !Broker.IsLoopback)
        {
            throw new ArgumentException($"cluster.broker.user: the guest account may be used only with a broker on this machine, not {Broker.Host}; create an account for the cluster");
        }
        if (HeartbeatInterval <= TimeSpan.Zero) throw new ArgumentException($"cluster.heartbeat_interval must be positive, not {HeartbeatInterval}");
        if (FailureTimeout < 2 * HeartbeatInterval)
        {
            throw new ArgumentException($"cluster.failure_timeout ({FailureTimeout.TotalSeconds:0.###} s) must be at least twice the heartbeat interval ({HeartbeatInterval.TotalSeconds:0.###} s)");
        }
        if (MaxMessageBytes < 1024) throw new ArgumentException($"cluster.max_message_bytes must be at least 1024, not {MaxMessageBytes}");
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,100}$")]
    private static partial Regex Name();
}
