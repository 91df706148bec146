using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// The spans of a [B, T] batch as one id per token (row-major): span k of the minibatch covers the tokens whose id is k,
/// ids count up row by row, left to right, and tokens outside every span (prompt, padding) hold −1. Made by
/// <see cref="Spans.Assign(ReadOnlySpan{long}, ReadOnlySpan{bool}, int, IReadOnlySet{int}, int)"/>.
/// </summary>
public sealed record SpanIds
{
    /// <summary>Span id per token, row-major, −1 where no span is.</summary>
    public required long[] Ids { get; init; }

    /// <summary>B: rows of the batch.</summary>
    public required int Rows { get; init; }

    /// <summary>T: tokens per row.</summary>
    public required int Columns { get; init; }

    /// <summary>n: number of spans; the ids are 0 .. n − 1.</summary>
    public required int Count { get; init; }

    /// <summary>The ids as an Int64 [B, T] tensor.</summary>
    public Tensor ToTensor(Device? device = null) => Torch.From<long>(Ids, [Rows, Columns], device);
}
