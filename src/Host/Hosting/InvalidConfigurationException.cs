namespace ActorRL.Host.Hosting;

/// <summary>A configuration file that cannot be used: unreadable, not JSON, an unknown field or a value of the wrong kind.</summary>
public sealed class InvalidConfigurationException : Exception
{
    /// <summary>A problem with the file as a whole.</summary>
    public InvalidConfigurationException(string problem) : base(problem) { }

    /// <summary>A problem with one field, named by its dotted path (e.g. <c>torch.threads</c>).</summary>
    public InvalidConfigurationException(string field, string problem) : base($"{field}: {problem}")
    {
        Field = field;
    }

    /// <summary>The dotted path of the offending field, or null when the file as a whole is at fault.</summary>
    public string? Field { get; }
}
