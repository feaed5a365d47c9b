namespace Me3.Streams.Events;

/// <summary>
/// One record as it comes from a source (a Kafka topic partition or a JSON-lines file), before decoding.
/// </summary>
/// <param name="Source">The stream it came from: a Kafka topic, or a file's source name.</param>
/// <param name="Partition">The partition; 0 for a file.</param>
/// <param name="Offset">The offset within the partition; the 0-based line number for a file.</param>
/// <param name="Timestamp">The source's time for the record (UTC); used when the event has no valid timestamp.</param>
/// <param name="Value">The record's bytes: UTF-8 JSON for a well-formed event, anything for a bad one.</param>
/// <param name="Committer">Commits this record's position back to its source; null for sources without commits.</param>
public sealed record SourceRecord(
    string Source,
    int Partition,
    long Offset,
    DateTime Timestamp,
    ReadOnlyMemory<byte> Value,
    IOffsetCommitter? Committer = null);
