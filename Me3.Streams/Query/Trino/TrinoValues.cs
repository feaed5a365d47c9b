using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Me3.Streams.Query.Trino;

/// <summary>
/// Values in the protocol's JSON encoding, both ways: numbers as JSON numbers (NaN and infinities as strings), decimals
/// as strings, dates <c>2026-11-01</c>, timestamps <c>2026-11-01 18:31:10.868</c> (and a zone after a space),
/// varbinary as Base64, array/map as JSON arrays and objects, rows as JSON arrays of their fields.
/// </summary>
internal static class TrinoValues
{
    private static readonly QueryError OutOfRange = new("NUMERIC_VALUE_OUT_OF_RANGE", 19, "USER_ERROR");

    /// <summary>Reads a value as the .NET type <see cref="QueryTypes.ClrTypeOf"/> gives for its Trino type.</summary>
    /// <exception cref="QueryException">The value does not fit its type.</exception>
    public static object? Decode(JsonElement value, string type)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        try
        {
            return QueryTypes.BaseName(type) switch
            {
                "bigint" => value.GetInt64(),
                "integer" or "int" => value.GetInt32(),
                "smallint" => value.GetInt16(),
                "tinyint" => value.GetSByte(),
                "double" => value.ValueKind == JsonValueKind.String ? ParseFloating(value.GetString()!) : value.GetDouble(),
                "real" => value.ValueKind == JsonValueKind.String ? (float)ParseFloating(value.GetString()!) : value.GetSingle(),
                "boolean" => value.GetBoolean(),
                "decimal" => decimal.Parse(Text(value), NumberStyles.Float, CultureInfo.InvariantCulture),
                "date" => DateOnly.ParseExact(value.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                "timestamp" => ParseTimestamp(value.GetString()!),
                "timestamp with time zone" => ParseTimestampWithZone(value.GetString()!),
                "time" => TimeOnly.FromTimeSpan(ParseTime(value.GetString()!)),
                "varbinary" => Convert.FromBase64String(value.GetString()!),
                _ => Text(value),
            };
        }
        catch (OverflowException e)
        {
            throw new QueryException(OutOfRange, $"The {type} value {value.GetRawText()} does not fit a .NET {QueryTypes.ClrTypeOf(type).Name}.", e);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new QueryException(QueryErrors.GenericInternalError, $"The server sent {value.GetRawText()} for a {type} value, which is not that type's encoding.", e);
        }
    }

    /// <summary>Writes a value given as the .NET type <see cref="QueryTypes.ClrTypeOf"/> gives for its type.</summary>
    public static void Encode(Utf8JsonWriter writer, object? value, TrinoType type)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text when IsNested(type):
                WriteNode(writer, JsonNode.Parse(text), type);
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case long n:
                writer.WriteNumberValue(n);
                break;
            case int n:
                writer.WriteNumberValue(n);
                break;
            case short n:
                writer.WriteNumberValue(n);
                break;
            case sbyte n:
                writer.WriteNumberValue(n);
                break;
            case double d:
                WriteFloating(writer, d, d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case float f:
                WriteFloating(writer, f, f.ToString("R", CultureInfo.InvariantCulture));
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case decimal d:
                writer.WriteStringValue(type.Numbers.Count > 1
                    ? d.ToString("F" + type.Numbers[1].ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
                    : d.ToString(CultureInfo.InvariantCulture));
                break;
            case DateOnly d:
                writer.WriteStringValue(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case DateTime t:
                writer.WriteStringValue(FormatTimestamp(t, type.Precision ?? 3));
                break;
            case DateTimeOffset t:
                writer.WriteStringValue(FormatTimestamp(t.UtcDateTime, type.Precision ?? 3) + " UTC");
                break;
            case TimeOnly t:
                writer.WriteStringValue(FormatTime(t.ToTimeSpan(), type.Precision ?? 3));
                break;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary><c>2026-11-01 18:31:10.868</c> for precision 3; no fraction for precision 0; up to 12 digits.</summary>
    public static string FormatTimestamp(DateTime t, int precision) =>
        t.ToString("yyyy-MM-dd ", CultureInfo.InvariantCulture) + FormatTime(t.TimeOfDay, precision);

    private static string FormatTime(TimeSpan time, int precision)
    {
        var text = time.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
        if (precision <= 0)
        {
            return text;
        }

        var fraction = (time.Ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture);
        return text + "." + (precision <= 7 ? fraction[..precision] : fraction.PadRight(precision, '0'));
    }

    private static bool IsNested(TrinoType type) => type.RawType is "array" or "map" or "row";

    /// <summary>Writes JSON from the embedded engine (structs as objects) in the protocol's shape (rows as arrays).</summary>
    private static void WriteNode(Utf8JsonWriter writer, JsonNode? node, TrinoType type)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject fields when type.RawType == "row":
                writer.WriteStartArray();
                var i = 0;
                foreach (var (_, field) in fields)
                {
                    WriteNode(writer, field, i < type.Children.Count ? type.Children[i] : Unknown);
                    i++;
                }

                writer.WriteEndArray();
                break;
            case JsonArray items when type.RawType == "array":
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteNode(writer, item, type.Children.Count > 0 ? type.Children[0] : Unknown);
                }

                writer.WriteEndArray();
                break;
            case JsonObject entries when type.RawType == "map":
                writer.WriteStartObject();
                foreach (var (key, entry) in entries)
                {
                    writer.WritePropertyName(key);
                    WriteNode(writer, entry, type.Children.Count > 1 ? type.Children[1] : Unknown);
                }

                writer.WriteEndObject();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    private static readonly TrinoType Unknown = TrinoType.Parse("unknown");

    private static void WriteFloating(Utf8JsonWriter writer, double value, string text)
    {
        if (double.IsNaN(value))
        {
            writer.WriteStringValue("NaN");
        }
        else if (double.IsPositiveInfinity(value))
        {
            writer.WriteStringValue("Infinity");
        }
        else if (double.IsNegativeInfinity(value))
        {
            writer.WriteStringValue("-Infinity");
        }
        else
        {
            writer.WriteRawValue(text.Contains('E', StringComparison.Ordinal) || text.Contains('.', StringComparison.Ordinal) ? text : text + ".0", skipInputValidation: true);
        }
    }

    private static double ParseFloating(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    /// <summary><c>2024-01-02 01:02:03.456789</c>: digits past the 7th (.NET's tick) are dropped.</summary>
    private static DateTime ParseTimestamp(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            throw new FormatException();
        }

        var date = DateOnly.ParseExact(text.AsSpan(0, space), "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified) + ParseTime(text[(space + 1)..]);
    }

    /// <summary><c>2024-01-02 01:02:03.456 +05:00</c>, <c>… UTC</c>, or <c>… America/Los_Angeles</c>.</summary>
    private static DateTimeOffset ParseTimestampWithZone(string text)
    {
        var zoneStart = text.LastIndexOf(' ');
        if (zoneStart <= text.IndexOf(' ', StringComparison.Ordinal))
        {
            throw new FormatException();
        }

        var local = ParseTimestamp(text[..zoneStart]);
        var zone = text[(zoneStart + 1)..];
        TimeSpan offset;
        if (zone[0] is '+' or '-')
        {
            var sign = zone[0] == '-' ? -1 : 1;
            offset = TimeSpan.ParseExact(zone.AsSpan(1), zone.Contains(':', StringComparison.Ordinal) ? @"hh\:mm" : "hhmm", CultureInfo.InvariantCulture) * sign;
        }
        else if (zone is "UTC" or "Z" or "GMT" or "UT" or "Etc/UTC" or "Zulu")
        {
            offset = TimeSpan.Zero;
        }
        else
        {
            offset = TimeZoneInfo.FindSystemTimeZoneById(zone).GetUtcOffset(local);
        }

        return new DateTimeOffset(local, offset);
    }

    /// <summary><c>01:02:03</c> or <c>01:02:03.123456789012</c>.</summary>
    private static TimeSpan ParseTime(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var whole = TimeSpan.ParseExact(dot < 0 ? text : text[..dot], @"hh\:mm\:ss", CultureInfo.InvariantCulture);
        if (dot < 0)
        {
            return whole;
        }

        var digits = text[(dot + 1)..];
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            throw new FormatException();
        }

        var ticks = long.Parse(digits.Length > 7 ? digits[..7] : digits.PadRight(7, '0'), CultureInfo.InvariantCulture);
        return whole + TimeSpan.FromTicks(ticks);
    }
}
