namespace Me3.Streams.Events;

/// <summary>
/// What decoding one record found, kept in one reused object per decoder: the table it is routed to, its timestamp,
/// and where each wanted field's value is in the record's bytes. Escaped strings are left escaped here; whoever
/// copies the value (the lake batch) unescapes it straight into its own buffer.
/// </summary>
internal sealed class DecodedRow
{
    public DecodedRow(int fields) => Fields = new FieldSlot[fields];

    /// <summary>Where the JSON starts in the record: 3 after a UTF-8 byte order mark, else 0. Field slots count from
    /// here, and <c>raw_event</c> holds the record from here.</summary>
    public int BodyStart { get; set; }

    public int Table { get; set; }

    public DateTime Timestamp { get; set; }

    /// <summary>Why the record is a dead letter; null for events.</summary>
    public string? Error { get; set; }

    /// <summary>True when the record is not UTF-8, so <c>raw_event</c> holds its bytes in Base64.</summary>
    public bool RawIsBinary { get; set; }

    /// <summary>Per field id, where its value is.</summary>
    public FieldSlot[] Fields { get; }
}

/// <summary>Where a field's value is in a record's JSON: a slice, escaped (a JSON string's raw text with its
/// escapes) or not; <see cref="Start"/> is -1 when the field is missing or JSON null.</summary>
internal readonly record struct FieldSlot(int Start, int Length, bool Escaped)
{
    public static FieldSlot Missing { get; } = new(-1, 0, false);

    public bool HasValue => Start >= 0;
}
