using System.Runtime.CompilerServices;
using Me3.Streams.Settings;

namespace Me3.Streams.Routing;

/// <summary>
/// The tables that one routing configuration lands events in, compiled for fast decoding: every table's schema,
/// the <c>event_type</c> → table map, and the event fields any table wants.
/// </summary>
internal sealed class LakeLayout
{
    private static readonly ConditionalWeakTable<RoutingSettings, LakeLayout> Cache = [];

    private readonly Dictionary<string, int> _tableByEventType;
    private readonly Dictionary<string, int> _fieldByName;

    private LakeLayout(RoutingSettings routing)
    {
        Routing = routing;
        var tables = new List<TableSchema>();
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        _tableByEventType = new Dictionary<string, int>(StringComparer.Ordinal);

        int AddTable(TableSchema schema)
        {
            if (byName.TryGetValue(schema.Name, out var existing))
            {
                if (!tables[existing].Columns.SequenceEqual(schema.Columns))
                {
                    throw new Me3Exception($"Table '{schema.Name}' is configured twice with different columns.");
                }

                return existing;
            }

            byName[schema.Name] = tables.Count;
            tables.Add(schema);
            return tables.Count - 1;
        }

        foreach (var route in routing.Routes)
        {
            if (string.IsNullOrEmpty(route.EventType))
            {
                throw new Me3Exception($"A route to table '{route.Table}' has an empty event type.");
            }

            if (!_tableByEventType.TryAdd(route.EventType, AddTable(TableSchema.ForEvents(route.Table, route.Columns))))
            {
                throw new Me3Exception($"Event type '{route.EventType}' is routed twice.");
            }
        }

        OtherEventsTable = AddTable(TableSchema.ForEvents(routing.OtherEventsTable, routing.OtherEventsColumns));
        if (byName.ContainsKey(routing.DeadLettersTable))
        {
            throw new Me3Exception($"The dead-letter table '{routing.DeadLettersTable}' is also an event table.");
        }

        DeadLettersTable = AddTable(TableSchema.ForDeadLetters(routing.DeadLettersTable));
        Tables = tables;

        _fieldByName = new Dictionary<string, int>(StringComparer.Ordinal);
        var fieldNames = new List<string>();
        ColumnFields = tables.Select(t => t.Columns.Select(c =>
        {
            if (c.Role != ColumnRole.EventField)
            {
                return -1;
            }

            if (!_fieldByName.TryGetValue(c.Name, out var id))
            {
                id = fieldNames.Count;
                _fieldByName[c.Name] = id;
                fieldNames.Add(c.Name);
            }

            return id;
        }).ToArray()).ToArray();
        FieldNames = fieldNames;
        EventTypeField = _fieldByName.GetValueOrDefault("event_type", -1);
        FieldLookup = _fieldByName.GetAlternateLookup<ReadOnlySpan<char>>();
        EventTypeLookup = _tableByEventType.GetAlternateLookup<ReadOnlySpan<char>>();
        _fieldsByLength = ByUtf8Length(_fieldByName);
        _eventTypesByLength = ByUtf8Length(_tableByEventType);
    }

    // The same names as UTF-8, by byte length: the decoder matches a name in place among the few of its length,
    // without building a string or hashing one.
    private readonly (byte[] Name, int Value)[][] _fieldsByLength;
    private readonly (byte[] Name, int Value)[][] _eventTypesByLength;

    /// <summary>The routing this layout was compiled from.</summary>
    public RoutingSettings Routing { get; }

    /// <summary>All tables, dead letters last.</summary>
    public IReadOnlyList<TableSchema> Tables { get; }

    /// <summary>The index in <see cref="Tables"/> of the table for unrouted events.</summary>
    public int OtherEventsTable { get; }

    /// <summary>The index in <see cref="Tables"/> of the dead-letter table.</summary>
    public int DeadLettersTable { get; }

    /// <summary>The event fields some table stores, by field id.</summary>
    internal IReadOnlyList<string> FieldNames { get; }

    /// <summary>For each table, for each column: the field id that fills it, or -1.</summary>
    internal int[][] ColumnFields { get; }

    /// <summary>The field id of <c>event_type</c>, or -1 if no table stores it.</summary>
    internal int EventTypeField { get; }

    internal Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> FieldLookup { get; }

    internal Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> EventTypeLookup { get; }

    /// <summary>
    /// The layout for <paramref name="routing"/>; the same instance for the same settings object, so that the
    /// decoder and the lake writer agree on table and field numbers.
    /// </summary>
    /// <param name="routing">The routing settings.</param>
    /// <returns>The compiled layout.</returns>
    /// <exception cref="Me3Exception">The routing is invalid (bad names, duplicates).</exception>
    public static LakeLayout For(RoutingSettings routing)
    {
        ArgumentNullException.ThrowIfNull(routing);
        return Cache.GetValue(routing, r => new LakeLayout(r));
    }

    /// <summary>The field id of a normalized (snake_case, lower-case) UTF-8 field name, or -1.</summary>
    internal int FieldIdOf(ReadOnlySpan<byte> name) => Find(_fieldsByLength, name);

    /// <summary>The table of a UTF-8 event type, or -1 when it is not routed.</summary>
    internal int RoutedTableOf(ReadOnlySpan<byte> eventType) => Find(_eventTypesByLength, eventType);

    /// <summary>The table an event type is routed to (the other-events table when not routed).</summary>
    /// <param name="eventType">The event type, or null when missing.</param>
    /// <returns>The table's index in <see cref="Tables"/>.</returns>
    public int TableFor(string? eventType) =>
        eventType is not null && _tableByEventType.TryGetValue(eventType, out var t) ? t : OtherEventsTable;

    private static (byte[] Name, int Value)[][] ByUtf8Length(Dictionary<string, int> map)
    {
        var entries = map.Select(kv => (Name: System.Text.Encoding.UTF8.GetBytes(kv.Key), kv.Value)).ToArray();
        var longest = entries.Length == 0 ? 0 : entries.Max(e => e.Name.Length);
        return Enumerable.Range(0, longest + 1).Select(n => entries.Where(e => e.Name.Length == n).ToArray()).ToArray();
    }

    private static int Find((byte[] Name, int Value)[][] byLength, ReadOnlySpan<byte> name)
    {
        if (name.Length >= byLength.Length)
        {
            return -1;
        }

        foreach (var (candidate, value) in byLength[name.Length])
        {
            if (name.SequenceEqual(candidate))
            {
                return value;
            }
        }

        return -1;
    }
}
