using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Objectives;

/// <summary>DRTO step 1: responses cut at boundary tokens and every L tokens, prompt and padding left out.</summary>
public class SpansTests
{
    private static readonly HashSet<int> Newline = [10];

    [Fact]
    public void BoundaryTokenClosesTheSpanItEnds()
    {
        // 5 6 \n | 7 \n | 8: each newline is the last token of its span.
        var spans = Spans.Split([5, 6, 10, 7, 10, 8], Newline, 16);
        Assert.Equal([new TokenSpan(0, 3), new TokenSpan(3, 2), new TokenSpan(5, 1)], spans);
    }

    [Fact]
    public void StretchWithoutBoundaryIsCutIntoChunksOfL()
    {
        // Ten tokens, L = 4: 4 + 4 + 2.
        var spans = Spans.Split([1, 2, 3, 4, 5, 6, 7, 8, 9, 11], Newline, 4);
        Assert.Equal([new TokenSpan(0, 4), new TokenSpan(4, 4), new TokenSpan(8, 2)], spans);
    }

    [Fact]
    public void ChunksRestartAfterEachBoundary()
    {
        // L = 3: a b c | d \n | e f g | h — the boundary after d closes a short span, counting restarts at e.
        var spans = Spans.Split([1, 2, 3, 4, 10, 5, 6, 7, 8], Newline, 3);
        Assert.Equal([new TokenSpan(0, 3), new TokenSpan(3, 2), new TokenSpan(5, 3), new TokenSpan(8, 1)], spans);
    }

    [Fact]
    public void PromptPaddingAndMaskedOutTokensAreInNoSpan()
    {
        // Prompt at 0–1, response 2–6 with a masked-out token at 4 (it closes the span before it), padding at 7–8.
        long[] tokens = [10, 10, 3, 4, 10, 5, 10, 0, 0];
        bool[] mask = [false, false, true, true, false, true, true, false, false];
        var spans = Spans.Split(tokens, mask, Newline, 8);
        Assert.Equal([new TokenSpan(2, 2), new TokenSpan(5, 2)], spans);
    }

    [Fact]
    public void SeveralBoundaryTokensAndIdsOutsideIntRange()
    {
        // Both 10 and 13 close spans; a token id beyond int range is never a boundary.
        var spans = Spans.Split([1, 13, 2, 10, (long)int.MaxValue + 11, 3], new HashSet<int> { 10, 13 }, 16);
        Assert.Equal([new TokenSpan(0, 2), new TokenSpan(2, 2), new TokenSpan(4, 2)], spans);
        Assert.Empty(Spans.Split([], Newline, 4));
    }

    [Fact]
    public void BatchIdsCountRowByRowWithMinusOneOutsideResponses()
    {
        // Row 0: response 7 8 \n 9 9 (L = 3): spans {0,1,2} {3,4}. Row 1: prompt, then 9 9 9 9 then padding: {1,2,3} {4}.
        // Row 2: all padding: no span. Ids continue from row to row.
        long[] tokens = [7, 8, 10, 9, 9, 0, 1, 9, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0];
        bool[] mask =
        [
            true, true, true, true, true, false,
            false, true, true, true, true, false,
            false, false, false, false, false, false,
        ];
        SpanIds ids = Spans.Assign(tokens, mask, 3, Newline, 3);

        Assert.Equal(4, ids.Count);
        Assert.Equal(3, ids.Rows);
        Assert.Equal(6, ids.Columns);
        Assert.Equal([0, 0, 0, 1, 1, -1, -1, 2, 2, 2, 3, -1, -1, -1, -1, -1, -1, -1], ids.Ids);

        using var scope = new DisposeScope();
        var tokenTensor = Torch.From<long>(tokens, [3, 6]);
        // A float mask works like a bool one.
        var floatMask = Torch.From(mask.Select(m => m ? 1f : 0f).ToArray(), [3, 6]);
        SpanIds fromTensors = Spans.Assign(tokenTensor, floatMask, new DrtoOptions { SpanBoundaryTokens = [10], MaxSpanLength = 3 });
        Assert.Equal(ids.Ids, fromTensors.Ids);
        Assert.Equal(4, fromTensors.Count);
        var idTensor = fromTensors.ToTensor();
        Assert.Equal([3L, 6L], idTensor.Shape);
        Assert.Equal(ids.Ids, idTensor.ToArray<long>());
    }

    [Fact]
    public void InvalidArgumentsAreNamed()
    {
        Assert.Equal("maxSpanLength", Assert.Throws<ArgumentOutOfRangeException>(() => Spans.Split([1, 2], Newline, 0)).ParamName);
        Assert.Equal("responseMask", Assert.Throws<ArgumentException>(() => Spans.Split([1, 2], [true], Newline, 4)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => Spans.Assign([1, 2, 3], [true, true, true], 2, Newline, 4)).ParamName);
        using var scope = new DisposeScope();
        Assert.Equal("responseMask", Assert.Throws<ArgumentException>(
            () => Spans.Assign(Torch.Zeros([2, 3], ScalarType.Int64), Torch.Ones([3, 2], ScalarType.Bool), Newline, 4)).ParamName);
    }
}
