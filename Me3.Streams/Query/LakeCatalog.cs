using Me3.Streams.Lake;
using Me3.Streams.Routing;
using Me3.Streams.Settings;

namespace Me3.Streams.Query;

/// <summary>
/// The lake's tables: those the routing declares (<c>purchases</c>, <c>gjoins</c>, <c>other_events</c>,
/// <c>dead_letters</c> and any routed table), which exist with their declared columns before any file lands, and any
/// other table directory found in the lake (landed with other routes), whose columns are its files'.
/// </summary>
public sealed class LakeCatalog
{
    /// <summary>The name of the Hive partition column every table has.</summary>
    public const string PartitionColumn = "dt";

    private readonly IReadOnlyList<LakeTable> _declared;

    /// <summary>Creates the catalog of a lake.</summary>
    /// <param name="lakePath">The lake's root directory (it need not exist yet).</param>
    /// <param name="routing">The routes the lake was landed with; default <see cref="RoutingSettings.Default"/>.</param>
    /// <exception cref="Me3Exception">The routing is invalid.</exception>
    public LakeCatalog(string lakePath, RoutingSettings? routing = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lakePath);
        LakePath = Path.GetFullPath(lakePath);
        var layout = LakeLayout.For(routing ?? RoutingSettings.Default);
        _declared = layout.Tables
            .Select(t => new LakeTable(t.Name, Path.Combine(LakePath, t.Name), ColumnsOf(t)))
            .ToArray();
    }

    /// <summary>The lake's root directory (absolute).</summary>
    public string LakePath { get; }

    /// <summary>The declared tables, in routing order (routes, other events, dead letters).</summary>
    public IReadOnlyList<LakeTable> DeclaredTables => _declared;

    /// <summary>The declared tables, then any other table directory found in the lake now, by name.</summary>
    /// <returns>The tables.</returns>
    public IReadOnlyList<LakeTable> Tables()
    {
        var found = new List<LakeTable>(_declared);
        if (!Directory.Exists(LakePath))
        {
            return found;
        }

        var known = _declared.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories(LakePath).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(dir);
            if (!known.Contains(name) && LakeIdentifier.IsValidTableOrColumn(name) && Directory.EnumerateDirectories(dir, "dt=*").Any())
            {
                found.Add(new LakeTable(name, dir, columns: null));
            }
        }

        return found;
    }

    /// <summary>Finds a table by name (declared or found in the lake).</summary>
    /// <param name="name">The table's name.</param>
    /// <returns>The table, or null.</returns>
    public LakeTable? Find(string name) => Tables().FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    private static LakeTableColumn[] ColumnsOf(TableSchema schema) =>
    [
        .. schema.Columns.Select(c => new LakeTableColumn(c.Name, TrinoTypeOf(c.Role))),
        new LakeTableColumn(PartitionColumn, "date", IsPartitionKey: true),
    ];

    private static string TrinoTypeOf(ColumnRole role) => role switch
    {
        ColumnRole.Timestamp => "timestamp(3)",
        ColumnRole.KafkaPartition => "integer",
        ColumnRole.KafkaOffset => "bigint",
        _ => "varchar",
    };
}
