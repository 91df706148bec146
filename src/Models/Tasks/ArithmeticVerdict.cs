namespace ActorRL.Models.Tasks;

/// <summary>What the exact-answer verifier made of a completion.</summary>
public enum ArithmeticVerdict
{
    /// <summary>A well-formed answer equal to the true value.</summary>
    Correct,

    /// <summary>A well-formed answer with another value.</summary>
    Wrong,

    /// <summary>No well-formed answer: no <c>&lt;|answer|&gt;</c> marker, or what follows the last one is not a plain
    /// decimal number closed by <c>&lt;|eos|&gt;</c> at the end of the completion.</summary>
    NoAnswer,
}
