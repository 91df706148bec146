using ActorRL.Models.Tasks;

namespace ActorRL.Models.Tests.Tasks;

public class ArithmeticVerifierTests
{
    private readonly ArithmeticTask task = new();

    private ArithmeticVerdict Judge(string completion, long answer) =>
        ArithmeticVerifier.Judge(task.Tokenizer.Encode(completion), answer, task.Tokenizer);

    [Theory]
    [InlineData("7+8+0=15;5<|step|>5+6+1=12;25<|answer|>125<|eos|>", ArithmeticVerdict.Correct)]
    [InlineData("<|answer|>125<|eos|>", ArithmeticVerdict.Correct)] // steps are not checked, only the answer
    [InlineData("<|answer|>7<|eos|><|answer|>125<|eos|>", ArithmeticVerdict.Correct)] // the last marker counts
    [InlineData("7+8+0=15;5<|step|>5+6+1=12;25<|answer|>124<|eos|>", ArithmeticVerdict.Wrong)]
    [InlineData("<|answer|>1250<|eos|>", ArithmeticVerdict.Wrong)]
    [InlineData("<|answer|>0<|eos|>", ArithmeticVerdict.Wrong)]
    [InlineData("7+8+0=15;5<|step|>5+6+1=12;125<|eos|>", ArithmeticVerdict.NoAnswer)] // no marker
    [InlineData("<|answer|>125", ArithmeticVerdict.NoAnswer)] // cut off before eos
    [InlineData("<|answer|><|eos|>", ArithmeticVerdict.NoAnswer)] // empty
    [InlineData("<|answer|>0125<|eos|>", ArithmeticVerdict.NoAnswer)] // leading zero
    [InlineData("<|answer|>12 5<|eos|>", ArithmeticVerdict.NoAnswer)]
    [InlineData("<|answer|>-125<|eos|>", ArithmeticVerdict.NoAnswer)]
    [InlineData("<|answer|>125<|step|><|eos|>", ArithmeticVerdict.NoAnswer)]
    [InlineData("<|answer|>125<|eos|>x", ArithmeticVerdict.NoAnswer)]
    [InlineData("<|answer|>1234567890123456789<|eos|>", ArithmeticVerdict.NoAnswer)] // too long to be exact
    public void JudgesTheLastAnswer(string completion, ArithmeticVerdict expected)
    {
        Assert.Equal(expected, Judge(completion, 125));
        Assert.Equal(expected == ArithmeticVerdict.Correct ? 1.0 : 0.0, task.Reward(task.Tokenizer.Encode(completion), 125));
    }

    [Fact]
    public void ParsesTheValueOrNothing()
    {
        Assert.Equal(0L, ArithmeticVerifier.ParseAnswer(task.Tokenizer.Encode("<|answer|>0<|eos|>"), task.Tokenizer));
        Assert.Equal(19998L, ArithmeticVerifier.ParseAnswer(task.Tokenizer.Encode("x<|answer|>19998<|eos|>"), task.Tokenizer));
        Assert.Null(ArithmeticVerifier.ParseAnswer([], task.Tokenizer));
        Assert.Null(ArithmeticVerifier.ParseAnswer([260, 999, 258], task.Tokenizer)); // an id outside the vocabulary
    }
}
