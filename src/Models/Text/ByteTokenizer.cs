using System.Text;

namespace ActorRL.Models.Text;

/// <summary>
/// Byte-level tokenizer: ids 0–255 are the UTF-8 bytes of the text, then the special tokens
/// <c>pad</c>, <c>bos</c>, <c>eos</c> and any task separators (e.g. <c>step</c>, <c>sep</c>), in that order.
/// Any text encodes losslessly; special tokens are written <c>&lt;|name|&gt;</c>.
/// </summary>
public sealed class ByteTokenizer : ITokenizer
{
    private readonly string[] specials;
    private readonly Dictionary<string, int> specialIds;

    /// <summary>Creates the tokenizer with extra special tokens after pad, bos and eos.</summary>
    public ByteTokenizer(params string[] taskSeparators)
    {
        specials = ["pad", "bos", "eos", .. taskSeparators];
        specialIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < specials.Length; i++)
        {
            string name = specials[i];
            if (name.Length == 0 || name.Contains('|') || name.Contains('<') || name.Contains('>'))
            {
                throw new ArgumentException($"special token name '{name}' must be non-empty and free of '<', '|' and '>'");
            }
            if (!specialIds.TryAdd(name, 256 + i)) throw new ArgumentException($"special token '{name}' is defined twice");
        }
    }

    /// <inheritdoc/>
    public int VocabSize => 256 + specials.Length;

    /// <inheritdoc/>
    public int Pad => 256;

    /// <inheritdoc/>
    public int Bos => 257;

    /// <inheritdoc/>
    public int Eos => 258;

    /// <summary>The special tokens' names, in id order from 256.</summary>
    public IReadOnlyList<string> SpecialTokens => specials;

    /// <inheritdoc/>
    public int Special(string name) =>
        specialIds.TryGetValue(name, out int id) ? id : throw new KeyNotFoundException($"the tokenizer has no special token '{name}'");

    /// <inheritdoc/>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length);
        int start = 0;
        while (start < text.Length)
        {
            int open = text.IndexOf("<|", start, StringComparison.Ordinal);
            int close = open < 0 ? -1 : text.IndexOf("|>", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                AddBytes(ids, text.AsSpan(start));
                break;
            }
            string name = text.Substring(open + 2, close - open - 2);
            if (specialIds.TryGetValue(name, out int id))
            {
                AddBytes(ids, text.AsSpan(start, open - start));
                ids.Add(id);
                start = close + 2;
            }
            else
            {
                AddBytes(ids, text.AsSpan(start, open + 2 - start)); // not a special token: literal text
                start = open + 2;
            }
        }
        return [.. ids];
    }

    private static void AddBytes(List<int> ids, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return;
        Span<byte> buffer = text.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(text.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        int n = Encoding.UTF8.GetBytes(text, buffer);
        foreach (byte b in buffer[..n]) ids.Add(b);
    }

    /// <inheritdoc/>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecial = false)
    {
        var sb = new StringBuilder();
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (id is >= 0 and < 256)
            {
                bytes.Add((byte)id);
                continue;
            }
            Flush();
            if (id < 256 || id >= VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id outside the vocabulary [0, {VocabSize})");
            if (!skipSpecial) sb.Append("<|").Append(specials[id - 256]).Append("|>");
        }
        Flush();
        return sb.ToString();

        void Flush()
        {
            if (bytes.Count == 0) return;
            sb.Append(Encoding.UTF8.GetString([.. bytes]));
            bytes.Clear();
        }
    }
}
