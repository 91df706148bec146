namespace ActorRL.Models.Tasks;

/// <summary>A prompt wording: <paramref name="Format"/> with <c>{a}</c> and <c>{b}</c> standing for the left and right
/// operands of <paramref name="Operation"/> (the answer is always a+b or a×b, whichever order the words name them in).</summary>
/// <param name="Operation">What the wording asks for.</param>
/// <param name="Format">The text, e.g. <c>add {a} and {b}:</c>.</param>
public sealed record ArithmeticTemplate(ArithmeticOperation Operation, string Format)
{
    /// <summary>Throws <see cref="ArgumentException"/> unless the format names each operand exactly once.</summary>
    public ArithmeticTemplate Validate()
    {
        ArgumentNullException.ThrowIfNull(Format);
        foreach (string slot in new[] { "{a}", "{b}" })
        {
            int first = Format.IndexOf(slot, StringComparison.Ordinal);
            if (first < 0 || Format.IndexOf(slot, first + 1, StringComparison.Ordinal) >= 0)
            {
                throw new ArgumentException($"template '{Format}' must contain {slot} exactly once");
            }
        }
        if (Format.Contains("<|", StringComparison.Ordinal)) throw new ArgumentException($"template '{Format}' must not contain special tokens");
        return this;
    }

    /// <summary>The wording with the operands filled in.</summary>
    public string Fill(long left, long right) =>
        Format.Replace("{a}", Digits(left), StringComparison.Ordinal).Replace("{b}", Digits(right), StringComparison.Ordinal);

    internal static string Digits(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
