using ActorRL.Models.Text;

namespace ActorRL.Models.Tests.Text;

public class ByteTokenizerTests
{
    private readonly ByteTokenizer tokenizer = new("step", "sep");

    [Fact]
    public void IdsAreUtf8BytesThenSpecialTokens()
    {
        Assert.Equal(261, tokenizer.VocabSize);
        Assert.Equal((256, 257, 258), (tokenizer.Pad, tokenizer.Bos, tokenizer.Eos));
        Assert.Equal(259, tokenizer.Special("step"));
        Assert.Equal(260, tokenizer.Special("sep"));
        Assert.Equal([104, 105], tokenizer.Encode("hi"));
        Assert.Equal([0xC3, 0xA9], tokenizer.Encode("é")); // U+00E9 in UTF-8
        Assert.Equal([257, 49, 43, 50, 259, 51, 258], tokenizer.Encode("<|bos|>1+2<|step|>3<|eos|>"));
    }

    [Fact]
    public void DecodeInvertsEncode()
    {
        foreach (string text in new[] { "", "plain", "naïve ☕ 12", "<|sep|>a<|step|><|eos|>", "<|unknown|> stays text", "a <| b |> c" })
        {
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        }
        Assert.Equal("ab", tokenizer.Decode(tokenizer.Encode("a<|step|>b<|eos|>"), skipSpecial: true));
    }

    [Fact]
    public void BadIdsAndNamesAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([300]));
        Assert.Throws<KeyNotFoundException>(() => tokenizer.Special("answer"));
        Assert.Throws<ArgumentException>(() => new ByteTokenizer("eos"));
        Assert.Throws<ArgumentException>(() => new ByteTokenizer("a|b"));
    }
}
