using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// Prompt + response rows right-padded into one batch, with the map from each response token to the column where a
/// causal model predicts it. Row b holds its prompt (P_b tokens) then its response; response token j is predicted at
/// position P_b + j − 1, which is where both <c>Scoring</c>'s log-probabilities ([B, T − 1]) and the value head's
/// V(prefix before y_j) ([B, T]) sit. Per-token tensors of the learner are laid out [B, R] with R the longest response
/// (at least 1), padding masked out.
/// </summary>
internal sealed class TokenBatch
{
    /// <summary>Padding id of the collated rows; any id works, the attention mask hides it.</summary>
    private const int PadId = 0;

    private TokenBatch(Tensor ids, Tensor attentionMask, Tensor positions, Tensor responseMask, int[] responseLengths)
    {
        Ids = ids;
        AttentionMask = attentionMask;
        Positions = positions;
        ResponseMask = responseMask;
        ResponseLengths = responseLengths;
    }

    /// <summary>Token ids [B, T], T ≥ 2 (so that <c>Scoring</c> applies even when every response is empty).</summary>
    public Tensor Ids { get; }

    /// <summary>1 on prompt and response tokens, 0 on padding, Int64 [B, T].</summary>
    public Tensor AttentionMask { get; }

    /// <summary>Int64 [B, R]: the column P_b + j − 1 that predicts response token j (0 on padding).</summary>
    public Tensor Positions { get; }

    /// <summary>Float32 [B, R]: 1 on response tokens, 0 on padding.</summary>
    public Tensor ResponseMask { get; }

    /// <summary>|y_b| per row.</summary>
    public int[] ResponseLengths { get; }

    /// <summary>R: columns of the per-response-token tensors.</summary>
    public int Width => (int)ResponseMask.Size(1);

    /// <summary>Collates the rows; every prompt needs at least one token (the first response token is predicted from it).</summary>
    public static TokenBatch Collate(IReadOnlyList<(int[] Prompt, int[] Response)> rows, Device device)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("no rows to collate", nameof(rows));
        for (int b = 0; b < rows.Count; b++)
        {
            if (rows[b].Prompt.Length == 0) throw new ArgumentException($"row {b} has an empty prompt", nameof(rows));
        }
        int n = rows.Count;
        int width = Math.Max(2, rows.Max(r => r.Prompt.Length + r.Response.Length));
        int responseWidth = Math.Max(1, rows.Max(r => r.Response.Length));
        var ids = new long[n * width];
        var mask = new long[n * width];
        var positions = new long[n * responseWidth];
        var responseMask = new float[n * responseWidth];
        Array.Fill(ids, PadId);
        for (int b = 0; b < n; b++)
        {
            var (prompt, response) = rows[b];
            int row = b * width;
            for (int i = 0; i < prompt.Length; i++) (ids[row + i], mask[row + i]) = (prompt[i], 1);
            for (int j = 0; j < response.Length; j++)
            {
                (ids[row + prompt.Length + j], mask[row + prompt.Length + j]) = (response[j], 1);
                positions[b * responseWidth + j] = prompt.Length + j - 1;
                responseMask[b * responseWidth + j] = 1;
            }
        }
        return new TokenBatch(
            Torch.From<long>(ids, [n, width], device),
            Torch.From<long>(mask, [n, width], device),
            Torch.From<long>(positions, [n, responseWidth], device),
            Torch.From<float>(responseMask, [n, responseWidth], device),
            [.. rows.Select(r => r.Response.Length)]);
    }

    /// <summary>The per-position values [B, T − 1] or [B, T] read at each response token: [B, R].</summary>
    public Tensor AtResponse(Tensor perPosition) => perPosition.Gather(1, Positions);

    /// <summary>Per-sample arrays (each |y_b| long, shorter ones padded with 0) as a Float32 [B, R] tensor.</summary>
    public Tensor PerToken(IReadOnlyList<float[]> values, Device device)
    {
        int n = ResponseLengths.Length, r = Width;
        var data = new float[n * r];
        for (int b = 0; b < n; b++)
        {
            if (values[b].Length != ResponseLengths[b])
            {
                throw new ArgumentException($"row {b}: {values[b].Length} values for {ResponseLengths[b]} response tokens", nameof(values));
            }
            values[b].CopyTo(data, b * r);
        }
        return Torch.From<float>(data, [n, r], device);
    }

    /// <summary>A [B, R] tensor read back per row, each row cut to its response length.</summary>
    public float[][] Split(Tensor perToken)
    {
        float[] data = perToken.To(ScalarType.Float32).ToArray<float>();
        int r = Width;
        return [.. ResponseLengths.Select((length, b) => data.AsSpan(b * r, length).ToArray())];
    }
}
