using ActorRL.Models.Text;

namespace ActorRL.Models.Tasks;

/// <summary>
/// The <c>arithmetic</c> task's reward: the exact answer after the last <c>&lt;|answer|&gt;</c> marker. The answer must
/// be digits without leading zeros (a lone 0 allowed) and be followed by <c>&lt;|eos|&gt;</c> as the completion's last
/// token, so a completion cut off by the length limit never scores.
/// </summary>
public static class ArithmeticVerifier
{
    /// <summary>The answer written in <paramref name="completion"/>, or null when there is no well-formed one.</summary>
    public static long? ParseAnswer(ReadOnlySpan<int> completion, ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        int marker = completion.LastIndexOf(tokenizer.Special(ArithmeticWorkedAnswer.AnswerToken));
        if (marker < 0 || completion.Length < marker + 3 || completion[^1] != tokenizer.Eos) return null;
        ReadOnlySpan<int> body = completion[(marker + 1)..^1];
        foreach (int id in body)
        {
            if (id < 0 || id >= tokenizer.VocabSize) return null;
        }
        string digits = tokenizer.Decode(body);
        if (digits.Length is 0 or > 18 || (digits.Length > 1 && digits[0] == '0')) return null;
        long value = 0;
        foreach (char c in digits)
        {
            if (c is < '0' or > '9') return null;
            value = (value * 10) + (c - '0');
        }
        return value;
    }

    /// <summary>Whether the completion answers <paramref name="answer"/> exactly.</summary>
    public static ArithmeticVerdict Judge(ReadOnlySpan<int> completion, long answer, ITokenizer tokenizer) =>
        ParseAnswer(completion, tokenizer) switch
        {
            null => ArithmeticVerdict.NoAnswer,
            long v when v == answer => ArithmeticVerdict.Correct,
            _ => ArithmeticVerdict.Wrong,
        };

    /// <summary>1 for a correct answer, 0 otherwise.</summary>
    public static double Reward(ReadOnlySpan<int> completion, long answer, ITokenizer tokenizer) =>
        Judge(completion, answer, tokenizer) == ArithmeticVerdict.Correct ? 1.0 : 0.0;
}
