namespace ActorRL.Host.Cli;

/// <summary>Process exit codes of <c>actorrl</c>.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command failed (a missing dependency, a failed measurement); the message says why.</summary>
    public const int Failure = 1;

    /// <summary>The configuration file is missing, malformed or holds an invalid value.</summary>
    public const int BadConfiguration = 2;

    /// <summary>Interrupted by Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
