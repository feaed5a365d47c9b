using Me3.Streams.Routing;

namespace Me3.Streams.Events;

/// <summary>
/// One record after decoding, as an object to inspect: the table it goes to, its timestamp, and its fields. The
/// ingestion graph itself never builds these; it decodes blocks straight into the lake's column batches.
/// </summary>
public sealed class DecodedEvent
{
    private readonly FieldSlot[] _fields;
    private readonly int _bodyStart;

    internal DecodedEvent(SourceRecord record, LakeLayout layout, DecodedRow row)
    {
        Record = record;
        Layout = layout;
        TableIndex = row.Table;
        Timestamp = row.Timestamp;
        Error = row.Error;
        RawIsBinary = row.RawIsBinary;
        _fields = [.. row.Fields];
        _bodyStart = row.BodyStart;
    }

    /// <summary>The record it was decoded from.</summary>
    public SourceRecord Record { get; }

    /// <summary>The name of the table it lands in (<c>dead_letters</c> for a record that is not a JSON object).</summary>
    public string TableName => Table.Name;

    internal LakeLayout Layout { get; }

    internal TableSchema Table => Layout.Tables[TableIndex];

    /// <summary>The event's UTC timestamp, truncated to milliseconds: its own <c>timestamp</c> field when that parses,
    /// else the source record's time.</summary>
    public DateTime Timestamp { get; }

    /// <summary>Why the record is a dead letter; null for events.</summary>
    public string? Error { get; }

    internal int TableIndex { get; }

    /// <summary>
    /// One of the event's fields by its lake column name (<c>user_name</c>, <c>sword_name</c>, <c>user_agent</c> for
    /// a <c>User-Agent</c> header), as the lake holds it: text unescaped, a number, object or array as its JSON text.
    /// </summary>
    /// <param name="column">The column name.</param>
    /// <returns>The text; null when the record lacks the field or holds JSON null, when it is a dead letter, or when
    /// no table of the routing has that column (the field then lives only in <c>raw_event</c>).</returns>
    public string? Field(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return Layout.FieldLookup.TryGetValue(column.AsSpan(), out var id) && id < _fields.Length ? FieldText(id) : null;
    }

    /// <summary>True when the record is not UTF-8, so <c>raw_event</c> holds its bytes in Base64.</summary>
    internal bool RawIsBinary { get; }

    /// <summary>The text of field <paramref name="fieldId"/> (unescaped), or null when missing or JSON null.</summary>
    internal string? FieldText(int fieldId)
    {
        var slot = _fields[fieldId];
        if (!slot.HasValue)
        {
            return null;
        }

        var value = Record.Value.Span.Slice(_bodyStart + slot.Start, slot.Length);
        return slot.Escaped ? JsonUnescaper.ToText(value) : System.Text.Encoding.UTF8.GetString(value);
    }
}
