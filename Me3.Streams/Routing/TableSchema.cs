namespace Me3.Streams.Routing;

/// <summary>What fills a lake column.</summary>
internal enum ColumnRole
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
internal sealed record LakeColumn(string Name, ColumnRole Role)
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
/// A lake table: its name and its columns, in file order. How the columns are encoded in Parquet is the lake
/// writer's business (see docs/exactly-once.md for the layout).
/// </summary>
internal sealed class TableSchema
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
    }

    /// <summary>The table name, also its directory under the lake root.</summary>
    public string Name { get; }

    /// <summary>Whether this is the table of records that are not JSON objects.</summary>
    public bool IsDeadLetters { get; }

    /// <summary>The columns, in file order.</summary>
    public IReadOnlyList<LakeColumn> Columns { get; }

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
        RequireName(name, "Table name");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in eventColumns)
        {
            RequireName(column, $"Column name of table '{name}'");
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
        RequireName(name, "Table name");
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

    /// <summary>True when <paramref name="name"/> is a table or column name: <c>[a-z][a-z0-9_]*</c>, at most 64 characters.</summary>
    /// <param name="name">The name to check.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || name[0] is < 'a' or > 'z')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws unless <paramref name="name"/> is a valid table or column name.</summary>
    /// <param name="name">The name to check.</param>
    /// <param name="what">What the name is for, for the message.</param>
    /// <exception cref="Me3Exception">The name is not <c>[a-z][a-z0-9_]*</c>.</exception>
    public static void RequireName(string? name, string what)
    {
        if (!IsValidName(name))
        {
            throw new Me3Exception($"{what} '{name}' is not a valid identifier: use [a-z][a-z0-9_]*, at most 64 characters.");
        }
    }
}
