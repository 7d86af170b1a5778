using System.Text.Json;
using System.Text.Json.Serialization;

namespace CertMgr.Core.Common;

/// <summary>
/// JSON for enums by name only: reads a defined name (any case) and refuses numbers, numeric strings, flag
/// combinations and undefined values with a message that lists the allowed names; writes the name.
/// <see cref="JsonStringEnumConverter{TEnum}"/> accepts <c>99</c> and <c>"99"</c>, which then reach the database.
/// </summary>
public sealed class EnumNameConverter<TEnum> : JsonConverterFactory
    where TEnum : struct, Enum
{
    /// <summary>The message of a refused value: names the allowed values.</summary>
    public static string AllowedText => $"must be one of {string.Join(", ", Enum.GetNames<TEnum>())}";

    public override bool CanConvert(Type typeToConvert) => typeToConvert == typeof(TEnum);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) => new Converter();

    /// <summary>A defined name of <typeparamref name="TEnum"/>, never a number.</summary>
    public static bool TryParse(string? text, out TEnum value)
    {
        value = default;
        var trimmed = text?.Trim();
        return !string.IsNullOrEmpty(trimmed) && (char.IsAsciiLetter(trimmed[0]) || trimmed[0] == '_') &&
            !trimmed.Contains(',', StringComparison.Ordinal) &&
            Enum.TryParse(trimmed, ignoreCase: true, out value) && Enum.IsDefined(value);
    }

    private sealed class Converter : JsonConverter<TEnum>
    {
        public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String && TryParse(reader.GetString(), out var value))
            {
                return value;
            }

            throw new JsonException($"{AllowedText}.");
        }

        public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
        {
            ArgumentNullException.ThrowIfNull(writer);
            writer.WriteStringValue(value.ToString());
        }
    }
}
