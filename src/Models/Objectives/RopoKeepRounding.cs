namespace ActorRL.Models.Objectives;

/// <summary>
/// How ROPO's filter turns (1 − ρ)·N into a whole number of kept pairs; OBJECTIVES.md leaves it open.
/// </summary>
public enum RopoKeepRounding
{
    /// <summary>
    /// Keep ⌈(1 − ρ)N⌉ pairs, so at most ⌊ρN⌋ are dropped: never more than the expected number of flipped labels, and
    /// at least one pair stays whenever ρ &lt; 1. The default.
    /// </summary>
    Ceiling,

    /// <summary>Keep ⌊(1 − ρ)N⌋ pairs: drop at least the expected number of flipped labels.</summary>
    Floor,
}
