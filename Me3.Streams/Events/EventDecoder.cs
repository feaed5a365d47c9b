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
internal sealed class EventDecoder
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
    private readonly FieldNameCache _names = new();

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Creates a decoder for a layout.</summary>
    /// <param name="layout">The tables and routes.</param>
    public EventDecoder(LakeLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
    }

    /// <summary>Decodes one record (allocates the result: for inspection; the ingestion graph decodes blocks).</summary>
    /// <param name="record">The record.</param>
    /// <returns>The decoded event, or a dead letter.</returns>
    public DecodedEvent Decode(SourceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var row = new DecodedRow(_layout.FieldNames.Count);
        Decode(record.Value.Span, record.Timestamp, row);
        return new DecodedEvent(record, _layout, row);
    }

    /// <summary>Decodes every record of a block. Never throws for any record.</summary>
    /// <param name="records">The records.</param>
    /// <returns>The block's decoded columns; the lake writer returns them to their pool.</returns>
    internal DecodedBlock Decode(RecordBlock records)
    {
        var block = DecodedBlock.Rent(records, _layout.FieldNames.Count);
        var row = new DecodedRow(_layout.FieldNames.Count);
        for (var i = 0; i < records.Count; i++)
        {
            ref readonly var r = ref records[i];
            Decode(r.Value.Span, r.Timestamp, row);
            block.Set(i, row);
        }

        return block;
    }

    /// <summary>Decodes one record into <paramref name="row"/>, which it overwrites. Never throws for any input.</summary>
    /// <param name="record">The record's bytes.</param>
    /// <param name="recordTime">The source's time for the record, used when the event has no valid timestamp.</param>
    /// <param name="row">Receives the result.</param>
    internal void Decode(ReadOnlySpan<byte> record, DateTime recordTime, DecodedRow row)
    {
        var fields = row.Fields;
        fields.AsSpan().Fill(FieldSlot.Missing);
        row.Error = null;
        row.RawIsBinary = false;

        // A byte order mark (Windows editors, .NET's Encoding.UTF8 preamble) is not part of the JSON.
        row.BodyStart = record.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        var bytes = record[row.BodyStart..];
        if (!Utf8.IsValid(bytes))
        {
            row.BodyStart = 0;
            DeadLetter(row, recordTime,
                $"Record is not valid UTF-8 (first bad byte at index {FirstInvalidUtf8(record)}); raw_event holds its bytes in Base64.",
                rawIsBinary: true);
            return;
        }

        // Only a record that starts with white space can be nothing but white space.
        if (bytes.IsEmpty || (bytes[0] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' && bytes.IndexOfAnyExcept(" \t\r\n"u8) < 0))
        {
            DeadLetter(row, recordTime, "Record is empty; expected a JSON object.");
            return;
        }

        DateTime? timestamp = null;
        var reader = new Utf8JsonReader(bytes, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                DeadLetter(row, recordTime, $"Expected a JSON object but found {Describe(reader.TokenType)}.");
                return;
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
                DeadLetter(row, recordTime, "Unexpected content after the JSON object.");
                return;
            }
        }
        catch (JsonException e)
        {
            DeadLetter(row, recordTime, $"Malformed JSON: {e.Message}");
            return;
        }
#pragma warning disable CA1031 // The decoder's contract: no record may stop the stream. Anything unforeseen is a dead letter with its reason.
        catch (Exception e)
#pragma warning restore CA1031
        {
            DeadLetter(row, recordTime, $"Undecodable record ({e.GetType().Name}): {e.Message}");
            return;
        }

        row.Table = Route(bytes, fields);
        row.Timestamp = timestamp ?? TimestampParser.TruncateToMs(recordTime.ToUniversalTime());
    }

    private int FieldOf(ref Utf8JsonReader reader, out bool isTimestamp)
    {
        if (!reader.ValueIsEscaped)
        {
            return FieldOfUtf8(reader.ValueSpan, out isTimestamp);
        }

        var text = JsonUnescaper.ToText(reader.ValueSpan);
        Span<byte> utf8 = stackalloc byte[MaxFieldNameChars];
        if (text.Length > MaxFieldNameChars || !Encoding.UTF8.TryGetBytes(text, utf8, out var length))
        {
            isTimestamp = false;
            return -1;
        }

        return FieldOfUtf8(utf8[..length], out isTimestamp);
    }

    private int FieldOfUtf8(ReadOnlySpan<byte> utf8, out bool isTimestamp)
    {
        if (_names.TryGet(utf8, out var field, out isTimestamp))
        {
            return field;
        }

        field = NormalizedFieldOf(utf8, out isTimestamp);
        _names.Add(utf8, field, isTimestamp);
        return field;
    }

    /// <summary>Header keys map to snake_case columns: User-Agent -> user_agent. Non-ASCII names match no column.</summary>
    private int NormalizedFieldOf(ReadOnlySpan<byte> utf8, out bool isTimestamp)
    {
        isTimestamp = false;
        if (utf8.Length > MaxFieldNameChars)
        {
            return -1;
        }

        Span<byte> name = stackalloc byte[MaxFieldNameChars];
        for (var i = 0; i < utf8.Length; i++)
        {
            var c = utf8[i];
            if (c is >= (byte)'A' and <= (byte)'Z')
            {
                c += 32;
            }
            else if (c == '-')
            {
                c = (byte)'_';
            }
            else if (c > 127)
            {
                return -1;
            }

            name[i] = c;
        }

        var normalized = name[..utf8.Length];
        isTimestamp = normalized.SequenceEqual("timestamp"u8);
        return _layout.FieldIdOf(normalized);
    }

    private static FieldSlot ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new FieldSlot((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, reader.ValueIsEscaped);
            case JsonTokenType.Null:
                return FieldSlot.Missing;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return new FieldSlot(start, (int)reader.BytesConsumed - start, false);
            default:
                // Numbers and booleans keep their JSON text.
                return new FieldSlot((int)reader.TokenStartIndex, reader.ValueSpan.Length, false);
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

    private int Route(ReadOnlySpan<byte> bytes, FieldSlot[] fields)
    {
        if (_layout.EventTypeField < 0)
        {
            return _layout.OtherEventsTable;
        }

        var value = fields[_layout.EventTypeField];
        if (value.Start <= 0 || bytes[value.Start - 1] != '"')
        {
            return _layout.OtherEventsTable; // missing or not a string
        }

        if (value.Escaped)
        {
            var text = JsonUnescaper.ToText(bytes.Slice(value.Start, value.Length));
            return _layout.EventTypeLookup.TryGetValue(text, out var t) ? t : _layout.OtherEventsTable;
        }

        if (value.Length > MaxEventTypeChars)
        {
            return _layout.OtherEventsTable; // too long for any route
        }

        var table = _layout.RoutedTableOf(bytes.Slice(value.Start, value.Length));
        return table >= 0 ? table : _layout.OtherEventsTable;
    }

    private void DeadLetter(DecodedRow row, DateTime recordTime, string error, bool rawIsBinary = false)
    {
        row.Fields.AsSpan().Fill(FieldSlot.Missing);
        row.Table = _layout.DeadLettersTable;
        row.Timestamp = TimestampParser.TruncateToMs(recordTime.ToUniversalTime());
        row.Error = error;
        row.RawIsBinary = rawIsBinary;
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
