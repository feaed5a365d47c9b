using Parquet.Schema;

namespace Me3.Streams.Lake;

/// <summary>What fills a lake column.</summary>
public enum ColumnRole
{
    /// <summary>The record's original JSON text.</summary>
    RawEvent,

    /// <summary>The event's UTC timestamp (milliseconds).</summary>
    Timestamp,

    /// <summary>A text field of the event, matched by its snake_case name.</summary>
    EventField,

    /// <summary>Why a record is a dead letter.</summary>
    Error,

    /// <summary>The source partition (INT32).</summary>
    KafkaPartition,

    /// <summary>The source offset (INT64).</summary>
    KafkaOffset,
}

/// <summary>One column of a lake table.</summary>
/// <param name="Name">The lower-case Parquet column name.</param>
/// <param name="Role">What fills it.</param>
public sealed record LakeColumn(string Name, ColumnRole Role)
{
    /// <summary>The SQL type readers see.</summary>
    public string SqlType => Role switch
    {
        ColumnRole.Timestamp => "TIMESTAMP",
        ColumnRole.KafkaPartition => "INTEGER",
        ColumnRole.KafkaOffset => "BIGINT",
        _ => "VARCHAR",
    };
}

/// <summary>
/// A lake table: its name and columns, and the Parquet schema its files are written with.
/// </summary>
public sealed class TableSchema
{
    /// <summary>Column names that are filled by the pipeline, never by an event field.</summary>
    public static readonly IReadOnlySet<string> ReservedColumns =
        new HashSet<string>(StringComparer.Ordinal) { "raw_event", "timestamp", "error", "kafka_partition", "kafka_offset" };

    // Text columns whose values repeat (headers, names): dictionary encoding pays for them.
    // Free text and unique ids do not.
    private static readonly HashSet<string> NonDictionaryColumns =
        new HashSet<string>(StringComparer.Ordinal) { "raw_event", "error", "event_id" };

    private TableSchema(string name, bool isDeadLetters, IReadOnlyList<LakeColumn> columns)
    {
        Name = name;
        IsDeadLetters = isDeadLetters;
        Columns = columns;
        Fields = columns.Select(ToParquetField).ToArray();
        ParquetSchema = new ParquetSchema(Fields);
    }

    /// <summary>The table name, also its directory under the lake root.</summary>
    public string Name { get; }

    /// <summary>Whether this is the table of records that are not JSON objects.</summary>
    public bool IsDeadLetters { get; }

    /// <summary>The columns, in file order.</summary>
    public IReadOnlyList<LakeColumn> Columns { get; }

    internal DataField[] Fields { get; }

    internal ParquetSchema ParquetSchema { get; }

    /// <summary>
    /// An event table: <c>raw_event, timestamp</c>, then the event columns, then <c>kafka_partition, kafka_offset</c>.
    /// </summary>
    /// <param name="name">The table name.</param>
    /// <param name="eventColumns">The text columns filled from event fields.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="Me3Exception">A name is not a valid identifier, reserved, or repeated.</exception>
    public static TableSchema ForEvents(string name, IReadOnlyList<string> eventColumns)
    {
        ArgumentNullException.ThrowIfNull(eventColumns);
        LakeIdentifier.RequireTableOrColumn(name, "Table name");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in eventColumns)
        {
            LakeIdentifier.RequireTableOrColumn(column, $"Column name of table '{name}'");
            if (ReservedColumns.Contains(column))
            {
                throw new Me3Exception($"Column '{column}' of table '{name}' is reserved; it is filled by the pipeline.");
            }

            if (!seen.Add(column))
            {
                throw new Me3Exception($"Column '{column}' appears twice in table '{name}'.");
            }
        }

        List<LakeColumn> columns =
        [
            new("raw_event", ColumnRole.RawEvent),
            new("timestamp", ColumnRole.Timestamp),
            .. eventColumns.Select(c => new LakeColumn(c, ColumnRole.EventField)),
            new("kafka_partition", ColumnRole.KafkaPartition),
            new("kafka_offset", ColumnRole.KafkaOffset),
        ];
        return new TableSchema(name, isDeadLetters: false, columns);
    }

    /// <summary>The dead-letter table: <c>raw_event, error, timestamp, kafka_partition, kafka_offset</c>.</summary>
    /// <param name="name">The table name.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="Me3Exception">The name is not a valid identifier.</exception>
    public static TableSchema ForDeadLetters(string name)
    {
        LakeIdentifier.RequireTableOrColumn(name, "Table name");
        return new TableSchema(name, isDeadLetters: true,
        [
            new("raw_event", ColumnRole.RawEvent),
            new("error", ColumnRole.Error),
            new("timestamp", ColumnRole.Timestamp),
            new("kafka_partition", ColumnRole.KafkaPartition),
            new("kafka_offset", ColumnRole.KafkaOffset),
        ]);
    }

    internal static bool PaysToDictionaryEncode(LakeColumn column) =>
        column.Role == ColumnRole.EventField && !NonDictionaryColumns.Contains(column.Name);

    private static DataField ToParquetField(LakeColumn column) => column.Role switch
    {
        ColumnRole.Timestamp => new DateTimeDataField(
            column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: false),
        ColumnRole.KafkaPartition => new DataField<int>(column.Name),
        ColumnRole.KafkaOffset => new DataField<long>(column.Name),
        _ => new DataField<string>(column.Name, nullable: true),
    };
}
