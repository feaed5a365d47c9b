using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Me3.Streams.Routing;

namespace Me3.Streams.Events;

/// <summary>
/// Decodes a record's UTF-8 JSON in one <see cref="Utf8JsonReader"/> pass: finds the fields some table stores,
/// the <c>event_type</c> and the <c>timestamp</c>, and routes the record. It never throws for bad input: a record
/// that is not a JSON object (malformed, truncated, array, scalar, empty, invalid UTF-8) becomes a dead letter
/// carrying the error text.
/// </summary>
public sealed class EventDecoder
{
    private const int MaxFieldNameChars = 64;
    private const int MaxEventTypeChars = 256;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    private readonly LakeLayout _layout;

    /// <summary>Creates a decoder for a layout.</summary>
    /// <param name="layout">The tables and routes.</param>
    public EventDecoder(LakeLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
    }

    /// <summary>Decodes one record.</summary>
    /// <param name="record">The record.</param>
    /// <returns>The decoded event, or a dead letter.</returns>
    public DecodedEvent Decode(SourceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var bytes = record.Value.Span;
        var fields = new FieldValue[_layout.FieldNames.Count];
        if (!Utf8.IsValid(bytes))
        {
            return DeadLetter(record, fields,
                $"Record is not valid UTF-8 (first bad byte at index {FirstInvalidUtf8(bytes)}); raw_event holds its bytes in Base64.",
                rawIsBinary: true);
        }

        if (bytes.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            return DeadLetter(record, fields, "Record is empty; expected a JSON object.");
        }

        fields.AsSpan().Fill(FieldValue.Missing);
        DateTime? timestamp = null;
        var reader = new Utf8JsonReader(bytes, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return DeadLetter(record, fields, $"Expected a JSON object but found {Describe(reader.TokenType)}.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader, out var isTimestamp);
                reader.Read();
                if (isTimestamp)
                {
                    timestamp = ReadTimestamp(ref reader) ?? timestamp;
                }

                if (field >= 0)
                {
                    fields[field] = ReadValue(ref reader);
                }
                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }

            // Anything after the object (a second value, garbage) makes Read throw; end of input returns false.
            if (reader.Read())
            {
                return DeadLetter(record, fields, "Unexpected content after the JSON object.");
            }
        }
        catch (JsonException e)
        {
            return DeadLetter(record, new FieldValue[fields.Length], $"Malformed JSON: {e.Message}");
        }
#pragma warning disable CA1031 // The decoder's contract: no record may stop the stream. Anything unforeseen is a dead letter with its reason.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return DeadLetter(record, new FieldValue[fields.Length], $"Undecodable record ({e.GetType().Name}): {e.Message}");
        }

        var table = Route(bytes, fields);
        var ts = timestamp ?? TimestampParser.TruncateToMs(record.Timestamp.ToUniversalTime());
        return new DecodedEvent(record, _layout, table, ts, fields, error: null, rawIsBinary: false);
    }

    private int FieldOf(ref Utf8JsonReader reader, out bool isTimestamp)
    {
        Span<char> name = stackalloc char[MaxFieldNameChars];
        var length = 0;
        if (reader.ValueIsEscaped)
        {
            var text = JsonUnescaper.ToText(reader.ValueSpan);
            if (text.Length > MaxFieldNameChars)
            {
                isTimestamp = false;
                return -1;
            }

            text.AsSpan().CopyTo(name);
            length = text.Length;
        }
        else
        {
            var utf8 = reader.ValueSpan;
            if (utf8.Length > MaxFieldNameChars)
            {
                isTimestamp = false;
                return -1;
            }

            foreach (var b in utf8)
            {
                name[length++] = (char)b;
            }
        }

        // Header keys map to snake_case columns: User-Agent -> user_agent. Non-ASCII names match no column.
        for (var i = 0; i < length; i++)
        {
            var c = name[i];
            if (c is >= 'A' and <= 'Z')
            {
                name[i] = (char)(c + 32);
            }
            else if (c == '-')
            {
                name[i] = '_';
            }
            else if (c > 127)
            {
                isTimestamp = false;
                return -1;
            }
        }

        var normalized = name[..length];
        isTimestamp = normalized.SequenceEqual("timestamp");
        return _layout.FieldLookup.TryGetValue(normalized, out var id) ? id : -1;
    }

    private static FieldValue ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.ValueIsEscaped
                    ? FieldValue.Unescaped(JsonUnescaper.ToText(reader.ValueSpan))
                    : FieldValue.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            case JsonTokenType.Null:
                return FieldValue.Missing;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return FieldValue.Slice(start, (int)reader.BytesConsumed - start);
            default:
                // Numbers and booleans keep their JSON text.
                return FieldValue.Slice((int)reader.TokenStartIndex, reader.ValueSpan.Length);
        }
    }

    private static DateTime? ReadTimestamp(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String when !reader.ValueIsEscaped:
                return TimestampParser.TryParseText(reader.ValueSpan, out var t) ? t : null;
            case JsonTokenType.String:
                return TimestampParser.TryParseText(JsonUnescaper.ToText(reader.ValueSpan).AsSpan(), out var e) ? e : null;
            case JsonTokenType.Number:
                return TimestampParser.TryParseNumber(reader.ValueSpan, out var n) ? n : null;
            default:
                return null;
        }
    }

    private int Route(ReadOnlySpan<byte> bytes, FieldValue[] fields)
    {
        if (_layout.EventTypeField < 0)
        {
            return _layout.OtherEventsTable;
        }

        var value = fields[_layout.EventTypeField];
        if (value.Text is { } text)
        {
            return _layout.EventTypeLookup.TryGetValue(text, out var t) ? t : _layout.OtherEventsTable;
        }

        if (value.Start < 0 || value.Length > MaxEventTypeChars || value.Start == 0 || bytes[value.Start - 1] != '"')
        {
            return _layout.OtherEventsTable; // missing, too long for any route, or not a string
        }

        Span<char> chars = stackalloc char[MaxEventTypeChars];
        var n = Encoding.UTF8.GetChars(bytes.Slice(value.Start, value.Length), chars);
        return _layout.EventTypeLookup.TryGetValue(chars[..n], out var table) ? table : _layout.OtherEventsTable;
    }

    private DecodedEvent DeadLetter(SourceRecord record, FieldValue[] fields, string error, bool rawIsBinary = false)
    {
        fields.AsSpan().Fill(FieldValue.Missing);
        var ts = TimestampParser.TruncateToMs(record.Timestamp.ToUniversalTime());
        return new DecodedEvent(record, _layout, _layout.DeadLettersTable, ts, fields, error, rawIsBinary);
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var index = 0;
        while (index < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[index..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return index;
    }
}
