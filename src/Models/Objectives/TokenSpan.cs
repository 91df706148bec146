namespace ActorRL.Models.Objectives;

/// <summary>One DRTO span: <see cref="Length"/> consecutive token positions of a row starting at <see cref="Start"/>.</summary>
/// <param name="Start">Index of the span's first token within its row.</param>
/// <param name="Length">Number of tokens, at least 1.</param>
public readonly record struct TokenSpan(int Start, int Length)
{
    /// <summary>One past the span's last token.</summary>
    public int End => Start + Length;
}
