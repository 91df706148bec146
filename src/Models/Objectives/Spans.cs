using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// DRTO step 1 (OBJECTIVES.md, "DRTO"): cut each response into spans, the units whose losses the DRO weights reweight.
/// </summary>
/// <remarks>
/// The paper leaves the exact rule open; ours, configured by <see cref="DrtoOptions.SpanBoundaryTokens"/> and
/// <see cref="DrtoOptions.MaxSpanLength"/> (L):
/// <list type="bullet">
/// <item>a boundary token (reasoning-step separator, newline) closes its span and belongs to it, so a step's span ends
/// with its separator;</item>
/// <item>a span that reaches L tokens is closed there: a stretch without a boundary becomes chunks of L tokens counted
/// from its start, the last one shorter;</item>
/// <item>only response tokens are in spans: a token outside the mask (prompt, padding, a masked-out tool output) closes
/// the span before it.</item>
/// </list>
/// </remarks>
public static class Spans
{
    /// <summary>The spans of one row, in order.</summary>
    /// <param name="tokens">The row's token ids.</param>
    /// <param name="responseMask">Which positions are response tokens; same length as <paramref name="tokens"/>.</param>
    /// <param name="boundaryTokens">Token ids that close a span.</param>
    /// <param name="maxSpanLength">L, at least 1.</param>
    /// <exception cref="ArgumentException">Lengths differ, or L &lt; 1.</exception>
    public static IReadOnlyList<TokenSpan> Split(
        ReadOnlySpan<long> tokens, ReadOnlySpan<bool> responseMask, IReadOnlySet<int> boundaryTokens, int maxSpanLength)
    {
        CheckRule(boundaryTokens, maxSpanLength);
        if (responseMask.Length != tokens.Length)
        {
            throw new ArgumentException($"{responseMask.Length} mask entries for {tokens.Length} tokens", nameof(responseMask));
        }
        var spans = new List<TokenSpan>();
        SplitRow(tokens, responseMask, boundaryTokens, maxSpanLength, spans);
        return spans;
    }

    /// <summary>The spans of a response in which every token counts (no prompt, no padding).</summary>
    /// <inheritdoc cref="Split(ReadOnlySpan{long}, ReadOnlySpan{bool}, IReadOnlySet{int}, int)"/>
    public static IReadOnlyList<TokenSpan> Split(ReadOnlySpan<long> tokens, IReadOnlySet<int> boundaryTokens, int maxSpanLength)
    {
        var all = new bool[tokens.Length];
        Array.Fill(all, true);
        return Split(tokens, all, boundaryTokens, maxSpanLength);
    }

    /// <summary>
    /// Span ids for a [B, T] batch given row-major: the spans of row 0 are numbered first, then those of row 1, and so on;
    /// tokens outside the mask get −1.
    /// </summary>
    /// <param name="tokens">Token ids, B·T of them, row-major.</param>
    /// <param name="responseMask">Response positions, B·T of them, row-major.</param>
    /// <param name="rows">B.</param>
    /// <param name="boundaryTokens">Token ids that close a span.</param>
    /// <param name="maxSpanLength">L, at least 1.</param>
    /// <exception cref="ArgumentException">Lengths that do not make B rows, or L &lt; 1.</exception>
    public static SpanIds Assign(
        ReadOnlySpan<long> tokens, ReadOnlySpan<bool> responseMask, int rows, IReadOnlySet<int> boundaryTokens, int maxSpanLength)
    {
        CheckRule(boundaryTokens, maxSpanLength);
        if (rows < 1 || tokens.Length % rows != 0)
        {
            throw new ArgumentException($"{tokens.Length} tokens do not make {rows} equal rows", nameof(rows));
        }
        if (responseMask.Length != tokens.Length)
        {
            throw new ArgumentException($"{responseMask.Length} mask entries for {tokens.Length} tokens", nameof(responseMask));
        }
        int columns = tokens.Length / rows;
        var ids = new long[tokens.Length];
        Array.Fill(ids, -1L);
        var spans = new List<TokenSpan>();
        int count = 0;
        for (int row = 0; row < rows; row++)
        {
            spans.Clear();
            int offset = row * columns;
            SplitRow(tokens.Slice(offset, columns), responseMask.Slice(offset, columns), boundaryTokens, maxSpanLength, spans);
            foreach (TokenSpan span in spans)
            {
                ids.AsSpan(offset + span.Start, span.Length).Fill(count);
                count++;
            }
        }
        return new SpanIds { Ids = ids, Rows = rows, Columns = columns, Count = count };
    }

    /// <summary>Span ids for a batch of tensors (read back to the CPU; the rule is sequential per row).</summary>
    /// <param name="tokens">Integer token ids [B, T].</param>
    /// <param name="responseMask">[B, T], bool or numeric (non-zero is a response token).</param>
    /// <param name="boundaryTokens">Token ids that close a span.</param>
    /// <param name="maxSpanLength">L, at least 1.</param>
    /// <exception cref="ArgumentException">The tensors are not [B, T] of the same shape, or L &lt; 1.</exception>
    public static SpanIds Assign(Tensor tokens, Tensor responseMask, IReadOnlySet<int> boundaryTokens, int maxSpanLength)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(responseMask);
        long[] shape = tokens.Shape;
        if (shape.Length != 2) throw new ArgumentException($"tokens must be [B, T], not [{string.Join(", ", shape)}]", nameof(tokens));
        if (!responseMask.Shape.SequenceEqual(shape))
        {
            throw new ArgumentException($"the mask is [{string.Join(", ", responseMask.Shape)}], the tokens [{string.Join(", ", shape)}]", nameof(responseMask));
        }
        using var scope = new DisposeScope();
        long[] ids = tokens.To(ScalarType.Int64).ToArray<long>();
        bool[] mask = (responseMask.DType == ScalarType.Bool ? responseMask : responseMask.Ne(0)).ToArray<bool>();
        return Assign(ids, mask, checked((int)shape[0]), boundaryTokens, maxSpanLength);
    }

    /// <summary>Span ids for a batch of tensors with the rule of <paramref name="options"/>.</summary>
    public static SpanIds Assign(Tensor tokens, Tensor responseMask, DrtoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Assign(tokens, responseMask, options.SpanBoundaryTokens.ToHashSet(), options.MaxSpanLength);
    }

    private static void CheckRule(IReadOnlySet<int> boundaryTokens, int maxSpanLength)
    {
        ArgumentNullException.ThrowIfNull(boundaryTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSpanLength, 1);
    }

    private static void SplitRow(
        ReadOnlySpan<long> tokens, ReadOnlySpan<bool> mask, IReadOnlySet<int> boundaryTokens, int maxSpanLength, List<TokenSpan> spans)
    {
        int start = -1;
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!mask[i])
            {
                if (start >= 0) spans.Add(new TokenSpan(start, i - start));
                start = -1;
                continue;
            }
            if (start < 0) start = i;
            bool boundary = tokens[i] is >= int.MinValue and <= int.MaxValue && boundaryTokens.Contains((int)tokens[i]);
            if (boundary || i - start + 1 == maxSpanLength)
            {
                spans.Add(new TokenSpan(start, i - start + 1));
                start = -1;
            }
        }
        if (start >= 0) spans.Add(new TokenSpan(start, tokens.Length - start));
    }
}
