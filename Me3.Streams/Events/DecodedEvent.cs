using Me3.Streams.Routing;

namespace Me3.Streams.Events;

/// <summary>
/// A record after decoding: the table it goes to, its timestamp, and where its fields are in the record's bytes.
/// Nothing is copied out of the record until the lake writer puts the values into its column buffers.
/// </summary>
public sealed class DecodedEvent
{
    internal DecodedEvent(SourceRecord record, LakeLayout layout, int table, DateTime timestamp, FieldValue[] fields, string? error, bool rawIsBinary)
    {
        Record = record;
        Layout = layout;
        TableIndex = table;
        Timestamp = timestamp;
        Fields = fields;
        Error = error;
        RawIsBinary = rawIsBinary;
    }

    /// <summary>The record it was decoded from.</summary>
    public SourceRecord Record { get; }

    /// <summary>The layout it was decoded with.</summary>
    public LakeLayout Layout { get; }

    /// <summary>The table it lands in.</summary>
    public TableSchema Table => Layout.Tables[TableIndex];

    /// <summary>The event's UTC timestamp, truncated to milliseconds: its own <c>timestamp</c> field when that parses,
    /// else the source record's time.</summary>
    public DateTime Timestamp { get; }

    /// <summary>Why the record is a dead letter; null for events.</summary>
    public string? Error { get; }

    internal int TableIndex { get; }

    internal FieldValue[] Fields { get; }

    /// <summary>True when the record is not UTF-8, so <c>raw_event</c> holds its bytes in Base64.</summary>
    internal bool RawIsBinary { get; }

    /// <summary>The text of field <paramref name="fieldId"/>, or null when missing or JSON null.</summary>
    internal string? FieldText(int fieldId) => Fields[fieldId].ToText(Record.Value.Span);
}

/// <summary>Where a field's value is: a slice of the record's UTF-8 bytes, or (for escaped strings) a decoded string.</summary>
internal readonly struct FieldValue
{
    private FieldValue(int start, int length, string? text)
    {
        Start = start;
        Length = length;
        Text = text;
    }

    /// <summary>Start of the UTF-8 value in the record, or -1 when missing or null.</summary>
    public int Start { get; }

    public int Length { get; }

    /// <summary>The unescaped value when the JSON string had escapes.</summary>
    public string? Text { get; }

    public bool HasValue => Start >= 0 || Text is not null;

    public static FieldValue Missing { get; } = new(-1, 0, null);

    public static FieldValue Slice(int start, int length) => new(start, length, null);

    public static FieldValue Unescaped(string text) => new(-1, 0, text);

    public string? ToText(ReadOnlySpan<byte> record) =>
        Text ?? (Start >= 0 ? System.Text.Encoding.UTF8.GetString(record.Slice(Start, Length)) : null);
}
