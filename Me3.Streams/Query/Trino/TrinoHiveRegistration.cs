using System.Text;

namespace Me3.Streams.Query.Trino;

/// <summary>
/// The DDL that exposes the lake's tables in a Trino catalog backed by the Hive connector: the schema, one external
/// Parquet table per lake table at <c>{location}/{table}</c>, partitioned by <c>dt</c>, with the exact column types the
/// writer produces (<c>varchar</c>, <c>timestamp(3)</c>, <c>integer</c>, <c>bigint</c>), then a partition sync so that
/// the <c>dt=…</c> directories already landed are seen. <c>dt</c> is a <c>date</c>: the Hive connector takes any
/// primitive type for a partition key as long as the partition keys are the last columns, the directory values
/// (<c>dt=2026-11-01</c>) are ISO dates, and the embedded engine types <c>dt</c> as a date too, so the same SQL
/// (<c>WHERE dt = DATE '2026-11-01'</c>) runs on both. Every statement is idempotent: run it again after new
/// partitions landed and only the partition sync changes anything.
/// </summary>
public sealed class TrinoHiveRegistration
{
    private static readonly string[] LocationSchemes = ["s3", "s3a", "s3n", "gs", "abfs", "abfss", "wasb", "wasbs", "adl", "hdfs", "viewfs", "oss", "cosn", "file"];

    private readonly IReadOnlyList<LakeTable> _tables;

    /// <summary>Registration of declared lake tables in a catalog.</summary>
    /// <param name="tables">The tables (each with its declared columns, <c>dt</c> last).</param>
    /// <param name="catalog">The Hive catalog's name in Trino, such as <c>hive</c>.</param>
    /// <param name="schema">The schema to create the tables in, such as <c>default</c>.</param>
    /// <param name="location">The lake's root as the Hive connector reaches it: <c>s3a://bucket/lake</c>, <c>file:///data/lake</c>.</param>
    /// <exception cref="ArgumentException">A name is empty, the location is not an absolute URI of a file system Trino reads,
    /// or a table has no declared columns.</exception>
    public TrinoHiveRegistration(IEnumerable<LakeTable> tables, string catalog, string schema, string location)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentException.ThrowIfNullOrWhiteSpace(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        Location = CheckLocation(location);
        _tables = [.. tables];
        var undeclared = _tables.FirstOrDefault(t => t.Columns is null);
        if (undeclared is not null)
        {
            throw new ArgumentException($"Table '{undeclared.Name}' has no declared columns: only tables the routing declares can be registered.", nameof(tables));
        }

        Catalog = catalog;
        Schema = schema;
    }

    /// <summary>The Hive catalog's name.</summary>
    public string Catalog { get; }

    /// <summary>The schema.</summary>
    public string Schema { get; }

    /// <summary>The lake's root, without a trailing slash.</summary>
    public string Location { get; }

    /// <summary>Every statement, in order: the schema, each table, then each table's partition sync.</summary>
    /// <returns>The statements, without trailing semicolons.</returns>
    public IReadOnlyList<string> Statements() =>
    [
        $"CREATE SCHEMA IF NOT EXISTS {Quote(Catalog)}.{Quote(Schema)}",
        .. _tables.Select(CreateTable),
        .. _tables.Select(SyncPartitions),
    ];

    /// <summary>The statements as a script, one per paragraph, each ending with a semicolon.</summary>
    /// <returns>The script.</returns>
    public string Script() => string.Join("\n\n", Statements().Select(s => s + ";")) + "\n";

    /// <summary>Runs every statement on a Trino cluster, in order, stopping at the first failure.</summary>
    /// <param name="trino">The cluster.</param>
    /// <param name="progress">Told each statement before it runs.</param>
    /// <param name="cancellationToken">Cancels the statement running.</param>
    /// <returns>A task that completes when every statement succeeded.</returns>
    /// <exception cref="QueryException">A statement failed.</exception>
    public async Task RunAsync(IQueryEngine trino, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trino);
        var options = QueryOptions.Default.WithTimeout(TimeSpan.FromMinutes(10));
        foreach (var statement in Statements())
        {
            progress?.Invoke(statement);
            await trino.QueryAsync(statement, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Quotes an identifier for Trino (always, so that names such as <c>timestamp</c> or <c>default</c> need no thought).</summary>
    /// <param name="identifier">The identifier.</param>
    /// <returns>The quoted identifier.</returns>
    public static string Quote(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A string literal for Trino.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The literal.</returns>
    public static string Literal(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private string CreateTable(LakeTable table)
    {
        var columns = table.Columns!;
        var sql = new StringBuilder($"CREATE TABLE IF NOT EXISTS {Quote(Catalog)}.{Quote(Schema)}.{Quote(table.Name)} (\n");
        sql.AppendJoin(",\n", columns.Select(c => $"  {Quote(c.Name)} {c.Type}"));
        sql.Append("\n)\nWITH (\n");
        sql.Append($"  external_location = {Literal(Location + "/" + table.Name)},\n");
        sql.Append("  format = 'PARQUET',\n");
        sql.Append($"  partitioned_by = ARRAY[{string.Join(", ", columns.Where(c => c.IsPartitionKey).Select(c => Literal(c.Name)))}]\n");
        return sql.Append(')').ToString();
    }

    private string SyncPartitions(LakeTable table) =>
        $"CALL {Quote(Catalog)}.system.sync_partition_metadata(schema_name => {Literal(Schema)}, table_name => {Literal(table.Name)}, mode => 'FULL')";

    private static string CheckLocation(string location)
    {
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || !LocationSchemes.Contains(uri.Scheme, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"The location '{location}' is not a URI of a file system Trino reads: use s3a://bucket/path, hdfs://…, gs://…, abfs://… or file:///absolute/path.",
                nameof(location));
        }

        if (uri.Scheme == "file" && !location.StartsWith("file:///", StringComparison.Ordinal))
        {
            throw new ArgumentException($"The location '{location}' must be file:///absolute/path (three slashes).", nameof(location));
        }

        return location.TrimEnd('/');
    }
}
