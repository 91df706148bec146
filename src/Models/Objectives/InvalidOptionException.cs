namespace ActorRL.Models.Objectives;

/// <summary>An objective option is out of range; <see cref="ArgumentException.ParamName"/> is the option's name.</summary>
public sealed class InvalidOptionException(string option, string message)
    : ArgumentException($"objective option '{option}': {message}", option);

/// <summary>Options of one objective: defaults as in OBJECTIVES.md, checked by <see cref="Validate"/>.</summary>
public interface IObjectiveOptions
{
    /// <summary>The registry name of the objective (<c>ppo</c>, <c>rto</c>, ...).</summary>
    string Objective { get; }

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first option out of range.</summary>
    void Validate();
}

/// <summary>Range checks that name the option.</summary>
internal static class Check
{
    public static void Positive(double value, string option)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new InvalidOptionException(option, $"must be > 0, not {value}");
    }

    public static void NonNegative(double value, string option)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new InvalidOptionException(option, $"must be >= 0, not {value}");
    }

    public static void InRange(double value, double low, double high, bool lowInclusive, bool highInclusive, string option)
    {
        bool ok = (lowInclusive ? value >= low : value > low) && (highInclusive ? value <= high : value < high);
        if (!ok) throw new InvalidOptionException(option, $"must be in {(lowInclusive ? "[" : "(")}{low}, {high}{(highInclusive ? "]" : ")")}, not {value}");
    }

    public static void AtLeast(long value, long low, string option)
    {
        if (value < low) throw new InvalidOptionException(option, $"must be at least {low}, not {value}");
    }
}
