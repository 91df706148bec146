using System.Globalization;
using System.Reflection;
using ActorRL.Host.Hosting;
using Microsoft.Extensions.Configuration;

namespace ActorRL.Host.Configuration;

/// <summary>
/// Binds a configuration section onto an options object whose properties are written in snake_case in the file
/// (<c>micro_batch_size</c> sets <c>MicroBatchSize</c>), strictly: an unknown key or a value that does not convert
/// stops with <see cref="InvalidConfigurationException"/> naming the key's dotted path. Nested options objects are
/// bound in place, so a section that sets one field keeps the defaults of the others.
/// </summary>
public static class SnakeCaseBinder
{
    /// <summary>Copies every value of <paramref name="section"/> onto the matching property of <paramref name="options"/>.</summary>
    /// <exception cref="InvalidConfigurationException">A key has no matching property, or its value does not convert.</exception>
    public static void Bind(IConfigurationSection section, object options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrEmpty(section.Value))
        {
            throw new InvalidConfigurationException(ConfigPath.Dotted(section.Path), $"must be an object, not '{section.Value}'");
        }
        PropertyInfo[] properties = Bindable(options.GetType());
        foreach (IConfigurationSection child in section.GetChildren())
        {
            string field = ConfigPath.Dotted(child.Path);
            PropertyInfo? property = properties.FirstOrDefault(p => string.Equals(ConfigPath.SnakeCase(p.Name), child.Key, StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidConfigurationException(field,
                    $"unknown key (known keys: {string.Join(", ", properties.Select(p => ConfigPath.SnakeCase(p.Name)))})");
            if (IsScalar(property.PropertyType))
            {
                property.SetValue(options, Convert(child, property.PropertyType, field));
            }
            else
            {
                object nested = property.GetValue(options) ?? Activator.CreateInstance(property.PropertyType)!;
                Bind(child, nested);
                property.SetValue(options, nested);
            }
        }
    }

    private static PropertyInfo[] Bindable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();

    private static bool IsScalar(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string);

    private static object Convert(IConfigurationSection child, Type type, string field)
    {
        if (child.Value is null)
        {
            throw new InvalidConfigurationException(field, child.GetChildren().Any()
                ? $"must be {Describe(type)}, not an object"
                : $"needs a value ({Describe(type)})");
        }
        string text = child.Value.Trim();
        // An enum's type code is its underlying integer's, so enums are told apart first.
        object? value = type.IsEnum
            ? Enum.GetNames(type).FirstOrDefault(n => string.Equals(ConfigPath.SnakeCase(n), text, StringComparison.OrdinalIgnoreCase)) is { } name
                ? Enum.Parse(type, name) : null
            : Type.GetTypeCode(type) switch
            {
                TypeCode.Int32 => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : null,
                TypeCode.Int64 => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : null,
                TypeCode.Double => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d : null,
                TypeCode.Boolean => bool.TryParse(text, out bool b) ? b : null,
                TypeCode.String => child.Value,
                _ => throw new NotSupportedException($"{field}: options of type {type.Name} cannot be bound"),
            };
        return value ?? throw new InvalidConfigurationException(field, $"'{child.Value}' is not {Describe(type)}");
    }

    private static string Describe(Type type) => type.IsEnum
        ? "one of " + string.Join(", ", Enum.GetNames(type).Select(ConfigPath.SnakeCase))
        : Type.GetTypeCode(type) switch
        {
            TypeCode.Int32 or TypeCode.Int64 => "an integer",
            TypeCode.Double => "a number",
            TypeCode.Boolean => "true or false",
            TypeCode.String => "a string",
            _ => $"a {type.Name}",
        };
}
