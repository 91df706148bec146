namespace ActorRL.Host.Cli;

/// <summary>
/// An expected failure of a command (a dependency not installed, a helper process that failed):
/// reported as one error line and <see cref="ExitCodes.Failure"/>, without a stack trace.
/// </summary>
public sealed class CommandFailedException : Exception
{
    /// <summary>Creates the exception with a message that says what to do about it.</summary>
    public CommandFailedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public CommandFailedException(string message, Exception inner) : base(message, inner) { }
}
