using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace ActorRL.Host.Hosting;

/// <summary>
/// Binds a configuration section field by field so that a typo or an unparsable value is
/// reported with the field's name, where the stock binder either ignores the field or reports
/// a conversion failure with the type's full name.
/// </summary>
public static class StrictSectionBinder
{
    /// <summary>Copies every value of <paramref name="section"/> onto the matching property of <paramref name="options"/>.</summary>
    /// <exception cref="InvalidConfigurationException">A field has no matching property, or its value does not convert.</exception>
    public static void Bind<T>(IConfigurationSection section, T options) where T : class
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrEmpty(section.Value))
        {
            throw new InvalidConfigurationException(FieldName(section.Path), $"must be an object, not '{section.Value}'");
        }
        PropertyInfo[] properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToArray();
        foreach (IConfigurationSection child in section.GetChildren())
        {
            string field = FieldName(child.Path);
            PropertyInfo? property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                string known = string.Join(", ", properties.Select(p => JsonName(p.Name)));
                throw new InvalidConfigurationException(field, $"unknown field (known fields: {known})");
            }
            property.SetValue(options, Convert(child, property.PropertyType, field));
        }
    }

    private static object? Convert(IConfigurationSection child, Type type, string field)
    {
        if (child.Value is null && !child.GetChildren().Any())
        {
            if (type.IsValueType && Nullable.GetUnderlyingType(type) is null)
            {
                throw new InvalidConfigurationException(field, $"needs a value ({Describe(type)})");
            }
            return null;
        }
        try
        {
            return child.Get(type);
        }
        catch (InvalidOperationException)
        {
            throw new InvalidConfigurationException(field, $"'{child.Value}' is not {Describe(type)}");
        }
    }

    private static string Describe(Type type) => Type.GetTypeCode(Nullable.GetUnderlyingType(type) ?? type) switch
    {
        TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 => "an integer",
        TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
        TypeCode.Boolean => "true or false",
        TypeCode.String => "a string",
        _ => $"a {type.Name}",
    };

    // Configuration paths are "torch:threads"; users write JSON, so errors use "torch.threads".
    private static string FieldName(string path) => string.Join('.', path.Split(':').Select(JsonName));

    private static string JsonName(string name) =>
        name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
