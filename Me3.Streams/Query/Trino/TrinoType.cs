using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Me3.Streams.Query.Trino;

/// <summary>
/// A Trino type name, parsed: <c>decimal(8, 5)</c>, <c>timestamp(3) with time zone</c>, <c>array(varchar)</c>,
/// <c>map(varchar, integer)</c>, <c>row("a" bigint, "b" varchar)</c>. Written as the <c>typeSignature</c> the protocol's
/// columns carry (Trino's JDBC driver, CLI and Python client read it).
/// </summary>
internal sealed class TrinoType
{
    /// <summary>Trino's length for an unbounded varchar.</summary>
    public const long UnboundedVarcharLength = int.MaxValue;

    private TrinoType(string rawType, IReadOnlyList<long> numbers, IReadOnlyList<TrinoType> children, IReadOnlyList<string?> fieldNames)
    {
        RawType = rawType;
        Numbers = numbers;
        Children = children;
        FieldNames = fieldNames;
    }

    /// <summary>The base name, lower case: <c>timestamp with time zone</c>, <c>decimal</c>, <c>row</c>.</summary>
    public string RawType { get; }

    /// <summary>Numeric parameters: precision, scale or length.</summary>
    public IReadOnlyList<long> Numbers { get; }

    /// <summary>Element types of array, map (key, value) and row.</summary>
    public IReadOnlyList<TrinoType> Children { get; }

    /// <summary>Field names of a row (null for an unnamed field).</summary>
    public IReadOnlyList<string?> FieldNames { get; }

    /// <summary>The first numeric parameter (precision of time and timestamp types, length of varchar), if any.</summary>
    public int? Precision => Numbers.Count > 0 ? (int)Numbers[0] : null;

    /// <summary>Parses a type name; an unparseable one is taken as an opaque scalar type of that name.</summary>
    public static TrinoType Parse(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        try
        {
            var position = 0;
            var parsed = ParseType(type, ref position);
            SkipSpaces(type, ref position);
            return position == type.Length ? parsed : Opaque(type);
        }
        catch (FormatException)
        {
            return Opaque(type);
        }
    }

    /// <summary>Writes the <c>typeSignature</c> object.</summary>
    public void WriteSignature(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("rawType", RawType);
        writer.WriteStartArray("arguments");
        if (RawType == "varchar" && Numbers.Count == 0)
        {
            WriteLong(writer, UnboundedVarcharLength);
        }

        foreach (var number in Numbers)
        {
            WriteLong(writer, number);
        }

        for (var i = 0; i < Children.Count; i++)
        {
            writer.WriteStartObject();
            if (RawType == "row")
            {
                writer.WriteString("kind", "NAMED_TYPE");
                writer.WriteStartObject("value");
                if (FieldNames[i] is { } name)
                {
                    writer.WriteStartObject("fieldName");
                    writer.WriteString("name", name);
                    writer.WriteEndObject();
                }

                writer.WritePropertyName("typeSignature");
                Children[i].WriteSignature(writer);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("kind", "TYPE");
                writer.WritePropertyName("value");
                Children[i].WriteSignature(writer);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        var suffix = RawType.EndsWith(" with time zone", StringComparison.Ordinal) ? " with time zone" : "";
        text.Append(suffix.Length == 0 ? RawType : RawType[..^suffix.Length]);
        if (Numbers.Count + Children.Count > 0)
        {
            var parts = Numbers.Select(n => n.ToString(CultureInfo.InvariantCulture))
                .Concat(Children.Select((c, i) => RawType == "row" && FieldNames[i] is { } name ? $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\" {c}" : c.ToString()));
            text.Append('(').AppendJoin(", ", parts).Append(')');
        }

        return text.Append(suffix).ToString();
    }

    private static void WriteLong(Utf8JsonWriter writer, long value)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", "LONG");
        writer.WriteNumber("value", value);
        writer.WriteEndObject();
    }

    private static TrinoType Opaque(string type) => new(type.Trim().ToLowerInvariant(), [], [], []);

    private static TrinoType ParseType(string text, ref int position)
    {
        var name = ReadWords(text, ref position);
        if (name.Length == 0)
        {
            throw new FormatException();
        }

        var numbers = new List<long>();
        var children = new List<TrinoType>();
        var fieldNames = new List<string?>();
        SkipSpaces(text, ref position);
        if (position < text.Length && text[position] == '(')
        {
            position++;
            while (true)
            {
                SkipSpaces(text, ref position);
                if (position < text.Length && char.IsAsciiDigit(text[position]))
                {
                    numbers.Add(ReadNumber(text, ref position));
                }
                else if (name == "row")
                {
                    fieldNames.Add(ReadFieldName(text, ref position));
                    children.Add(ParseType(text, ref position));
                }
                else
                {
                    children.Add(ParseType(text, ref position));
                }

                SkipSpaces(text, ref position);
                if (position >= text.Length)
                {
                    throw new FormatException();
                }

                if (text[position] == ')')
                {
                    position++;
                    break;
                }

                if (text[position] != ',')
                {
                    throw new FormatException();
                }

                position++;
            }

            var save = position;
            var suffix = ReadWords(text, ref position);
            if (suffix == "with time zone")
            {
                name += " with time zone";
            }
            else
            {
                position = save;
            }
        }

        return new TrinoType(name, numbers, children, fieldNames);
    }

    /// <summary>A row field's name, quoted or bare; null for an unnamed field (its type comes next).</summary>
    private static string? ReadFieldName(string text, ref int position)
    {
        if (text[position] == '"')
        {
            var name = new StringBuilder();
            position++;
            while (true)
            {
                if (position >= text.Length)
                {
                    throw new FormatException();
                }

                if (text[position] == '"')
                {
                    if (position + 1 < text.Length && text[position + 1] == '"')
                    {
                        name.Append('"');
                        position += 2;
                        continue;
                    }

                    position++;
                    return name.ToString();
                }

                name.Append(text[position++]);
            }
        }

        var save = position;
        var word = ReadWord(text, ref position);
        SkipSpaces(text, ref position);
        var typeFollows = position < text.Length && (char.IsAsciiLetter(text[position]) || text[position] == '"');
        if (typeFollows && word is not ("timestamp" or "time" or "interval" or "double"))
        {
            return word;
        }

        position = save;
        return null;
    }

    /// <summary>Words of a type name separated by single spaces (<c>timestamp with time zone</c>), lower case.</summary>
    private static string ReadWords(string text, ref int position)
    {
        var words = new List<string>();
        while (true)
        {
            SkipSpaces(text, ref position);
            var save = position;
            var word = ReadWord(text, ref position);
            if (word.Length == 0)
            {
                position = save;
                break;
            }

            words.Add(word);
        }

        return string.Join(' ', words);
    }

    private static string ReadWord(string text, ref int position)
    {
        var start = position;
        while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] == '_') && !(position == start && char.IsAsciiDigit(text[position])))
        {
            position++;
        }

        return text[start..position].ToLowerInvariant();
    }

    private static long ReadNumber(string text, ref int position)
    {
        var start = position;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        return long.Parse(text.AsSpan(start, position - start), CultureInfo.InvariantCulture);
    }

    private static void SkipSpaces(string text, ref int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }
    }
}
