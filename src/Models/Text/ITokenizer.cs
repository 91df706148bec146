namespace ActorRL.Models.Text;

/// <summary>Turns text into token ids and back; every model is paired with one.</summary>
public interface ITokenizer
{
    /// <summary>Number of distinct ids (the model's vocabulary size).</summary>
    int VocabSize { get; }

    /// <summary>Padding id (never attended to, never trained on).</summary>
    int Pad { get; }

    /// <summary>Beginning of sequence.</summary>
    int Bos { get; }

    /// <summary>End of sequence: generation stops here.</summary>
    int Eos { get; }

    /// <summary>The id of a named special token such as <c>step</c> or <c>sep</c>.</summary>
    /// <exception cref="KeyNotFoundException">The tokenizer has no such token.</exception>
    int Special(string name);

    /// <summary>Ids for <paramref name="text"/>; special tokens may be written as <c>&lt;|name|&gt;</c>.</summary>
    int[] Encode(string text);

    /// <summary>Text for ids; special tokens are written as <c>&lt;|name|&gt;</c> unless skipped.</summary>
    string Decode(ReadOnlySpan<int> ids, bool skipSpecial = false);
}
