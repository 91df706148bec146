using System.Globalization;
using System.Text;

namespace ActorRL.Models.Tasks;

/// <summary>
/// The step-by-step answers of the <c>arithmetic</c> task: one step per digit of the operands, from the units up, each
/// step closed by <c>&lt;|step|&gt;</c> (the last by <c>&lt;|answer|&gt;</c>), so DRTO spans follow reasoning steps; then the
/// answer and <c>&lt;|eos|&gt;</c>.
/// </summary>
/// <remarks>
/// <para>Addition step k: <c>x+y+c=t;r</c> — the k-th digits of a and b (0 where an operand is shorter), the carry in
/// (always written, 0 or 1), their sum t, and r, the low k digits of the result so far (leading zeros kept).
/// 57+68 is <c>7+8+0=15;5&lt;|step|&gt;5+6+1=12;25&lt;|answer|&gt;125&lt;|eos|&gt;</c>.</para>
/// <para>Multiplication of a by a one-digit b, step k: <c>x*y+c=t;r</c> — the k-th digit of a, b, the carry in (t of the
/// previous step divided by 10), t = x·y + c, and r as above. 23×4 is
/// <c>3*4+0=12;2&lt;|step|&gt;2*4+1=9;92&lt;|answer|&gt;92&lt;|eos|&gt;</c>.</para>
/// <para>Every step reads only its own column and the previous step, and the answer is the last step's carry written
/// before its r, so the format is regular for a small model. The answer is the plain decimal value (no leading zeros).</para>
/// </remarks>
public static class ArithmeticWorkedAnswer
{
    /// <summary>The reasoning-step separator's special-token name.</summary>
    public const string StepToken = "step";

    /// <summary>The special-token name that introduces the final answer.</summary>
    public const string AnswerToken = "answer";

    /// <summary>The worked answer of <paramref name="left"/> op <paramref name="right"/>, special tokens written as
    /// <c>&lt;|name|&gt;</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An operand is negative, or a multiplier is not a single digit.</exception>
    public static string Write(ArithmeticOperation operation, long left, long right)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(left);
        ArgumentOutOfRangeException.ThrowIfNegative(right);
        if (operation == ArithmeticOperation.Multiply && right > 9)
        {
            throw new ArgumentOutOfRangeException(nameof(right), right, "the multiplier must be a single digit");
        }
        string a = Digits(left), b = Digits(right);
        int columns = operation == ArithmeticOperation.Add ? Math.Max(a.Length, b.Length) : a.Length;
        var text = new StringBuilder();
        var low = new StringBuilder();
        int carry = 0;
        for (int k = 0; k < columns; k++)
        {
            int x = DigitAt(a, k);
            int y = operation == ArithmeticOperation.Add ? DigitAt(b, k) : (int)right;
            int t = operation == ArithmeticOperation.Add ? x + y + carry : (x * y) + carry;
            low.Insert(0, (char)('0' + (t % 10)));
            if (k > 0) text.Append("<|").Append(StepToken).Append("|>");
            char op = operation == ArithmeticOperation.Add ? '+' : '*';
            text.Append(CultureInfo.InvariantCulture, $"{x}{op}{y}+{carry}={t};{low}");
            carry = t / 10;
        }
        long answer = operation == ArithmeticOperation.Add ? left + right : left * right;
        return text.Append("<|").Append(AnswerToken).Append("|>").Append(Digits(answer)).Append("<|eos|>").ToString();
    }

    private static int DigitAt(string digits, int fromUnits) =>
        fromUnits < digits.Length ? digits[digits.Length - 1 - fromUnits] - '0' : 0;

    private static string Digits(long value) => value.ToString(CultureInfo.InvariantCulture);
}
