using System.Text;

namespace ActorRL.Actors;

/// <summary>
/// Where an actor system lives: <c>actorrl://name</c> in this process, <c>actorrl://name@host:port</c>
/// on a node of a cluster.
/// </summary>
/// <param name="System">The actor system's name.</param>
/// <param name="Host">The node's host, or null for the local process.</param>
/// <param name="Port">The node's port, or null for the local process.</param>
public sealed record Address(string System, string? Host = null, int? Port = null)
{
    /// <summary>The URI scheme of actor paths.</summary>
    public const string Protocol = "actorrl";

    /// <summary>True for an address without a host: this process.</summary>
    public bool IsLocal => Host is null;

    /// <inheritdoc/>
    public override string ToString() =>
        IsLocal ? $"{Protocol}://{System}" : $"{Protocol}://{System}@{Host}{(Port is null ? "" : ":" + Port)}";
}

/// <summary>
/// The hierarchical, location-transparent name of an actor, such as
/// <c>actorrl://train@node1:5672/user/learner</c>. Paths are values: two refs to the same path
/// may still denote different incarnations (see <see cref="IActorRef"/>).
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    private readonly string[] elements;

    private ActorPath(Address address, string[] elements)
    {
        Address = address;
        this.elements = elements;
    }

    /// <summary>The root path (<c>/</c>) of a system.</summary>
    public static ActorPath Root(Address address) => new(address, []);

    /// <summary>The address of the system the actor lives in.</summary>
    public Address Address { get; }

    /// <summary>The names from the root guardian down, e.g. ["user", "learner"].</summary>
    public IReadOnlyList<string> Elements => elements;

    /// <summary>The last element (the actor's name), or "/" for the root.</summary>
    public string Name => elements.Length == 0 ? "/" : elements[^1];

    /// <summary>The parent's path (the root's parent is the root).</summary>
    public ActorPath Parent => elements.Length == 0 ? this : new ActorPath(Address, elements[..^1]);

    /// <summary>The path of a child with the given name.</summary>
    public ActorPath Child(string name) => new(Address, [.. elements, name]);

    /// <summary>The part after the address: <c>/user/learner</c>.</summary>
    public string ToStringWithoutAddress()
    {
        if (elements.Length == 0) return "/";
        var sb = new StringBuilder();
        foreach (string e in elements) sb.Append('/').Append(e);
        return sb.ToString();
    }

    /// <summary>Parses <c>actorrl://system[@host[:port]]/a/b</c>.</summary>
    /// <exception cref="FormatException">The text is not an actor path.</exception>
    public static ActorPath Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string prefix = Address.Protocol + "://";
        if (!text.StartsWith(prefix, StringComparison.Ordinal)) throw new FormatException($"'{text}' does not start with {prefix}");
        string rest = text[prefix.Length..];
        int slash = rest.IndexOf('/');
        string authority = slash < 0 ? rest : rest[..slash];
        string[] names = slash < 0 ? [] : rest[(slash + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        Address address;
        int at = authority.IndexOf('@');
        if (at < 0)
        {
            address = new Address(authority);
        }
        else
        {
            string hostPort = authority[(at + 1)..];
            int colon = hostPort.LastIndexOf(':');
            address = colon < 0
                ? new Address(authority[..at], hostPort)
                : new Address(authority[..at], hostPort[..colon], int.Parse(hostPort[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
        if (address.System.Length == 0) throw new FormatException($"'{text}' names no actor system");
        return new ActorPath(address, names);
    }

    /// <inheritdoc/>
    public bool Equals(ActorPath? other) =>
        other is not null && Address == other.Address && elements.AsSpan().SequenceEqual(other.elements);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ActorPath);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Address);
        foreach (string e in elements) hash.Add(e, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => Address + ToStringWithoutAddress();
}
