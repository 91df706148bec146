using System.Text;

namespace ActorRL.Host.Configuration;

/// <summary>
/// Spellings of a configuration key: Microsoft.Extensions.Configuration writes <c>rl:staleness</c>, users write
/// <c>rl.staleness</c> in <c>--set</c> and error messages, and C# properties are PascalCase.
/// </summary>
public static class ConfigPath
{
    /// <summary><c>rl:generation:top_k</c> as <c>rl.generation.top_k</c>; keys are case-insensitive (environment variables come upper-case) and always shown in lower case.</summary>
    public static string Dotted(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Replace(':', '.').ToLowerInvariant();
    }

    /// <summary><c>MicroBatchSize</c> as <c>micro_batch_size</c>; a name already in snake_case is returned lower-cased.</summary>
    public static string SnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            // A boundary is a capital after a lower-case letter or digit: "Beta1" stays "beta1", "TopK" becomes "top_k".
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]))) builder.Append('_');
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }
}
