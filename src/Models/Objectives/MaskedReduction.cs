namespace ActorRL.Models.Objectives;

/// <summary>How per-token losses ℓ_t of a batch become one scalar loss.</summary>
public enum MaskedReduction
{
    /// <summary>
    /// OBJECTIVES.md's convention: sequence loss = masked mean over its response tokens; batch loss = mean over
    /// sequences. Every sequence weighs the same, whatever its length.
    /// </summary>
    SequenceMean,

    /// <summary>Σ over every response token of the batch, divided by the batch's number of response tokens: every token weighs the same.</summary>
    TokenMean,
}
