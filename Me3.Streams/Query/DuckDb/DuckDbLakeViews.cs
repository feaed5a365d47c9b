using System.Text;
using DuckDB.NET.Data;

namespace Me3.Streams.Query.DuckDb;

/// <summary>
/// Keeps one view per lake table. A table with files is a view over the glob of its files, which DuckDB expands at
/// every query, so a file landed after start-up is in the next query. A declared table is also a typed empty
/// relation joined by name with its files, so it has its declared columns before any file lands, and when its files
/// come from older or newer schemas (a route gained a column) the missing values are NULL. Timestamps show as
/// <c>TIMESTAMP_MS</c> (UTC), as Trino's Hive connector shows them (<c>timestamp(3)</c>).
/// </summary>
internal sealed class DuckDbLakeViews : IDisposable
{
    private readonly LakeCatalog _catalog;
    private readonly Dictionary<string, bool> _withFiles = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lock = new(1, 1);

    public DuckDbLakeViews(LakeCatalog catalog) => _catalog = catalog;

    /// <summary>Creates or updates the views whose table gained its first file or appeared since the last call.</summary>
    public async Task RefreshAsync(DuckDBConnection connection, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var table in _catalog.Tables())
            {
                // Files are never removed, so a table with files keeps them: only empty or new tables are checked.
                if (_withFiles.TryGetValue(table.Name, out var had) && had)
                {
                    continue;
                }

                var hasFiles = table.HasFiles();
                if (!table.IsDeclared && !hasFiles || _withFiles.TryGetValue(table.Name, out var known) && known == hasFiles)
                {
                    continue;
                }

                try
                {
                    Execute(connection, ViewSql(table, hasFiles));
                    _withFiles[table.Name] = hasFiles;
                }
                catch (DuckDBException e)
                {
                    // One unreadable table must not fail queries of the others: its view raises the reason when read,
                    // and the next query tries again.
                    Execute(connection, $"CREATE OR REPLACE VIEW {Quote(table.Name)} AS SELECT error({Literal(e.Message.Split('\n')[0])}) AS unreadable");
                    _withFiles.Remove(table.Name);
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static string ViewSql(LakeTable table, bool hasFiles)
    {
        var sql = new StringBuilder($"CREATE OR REPLACE VIEW {Quote(table.Name)} AS ");
        var files = $"SELECT * FROM read_parquet({Literal(table.FileGlob)}, hive_partitioning = true, union_by_name = true, hive_types = {{'dt': DATE}})";
        if (table.Columns is not { } columns)
        {
            return sql.Append(files).ToString();
        }

        var empty = "SELECT " + string.Join(", ", columns.Select(c => $"CAST(NULL AS {DuckDbTypeOf(c.Type)}) AS {Quote(c.Name)}")) + " WHERE false";
        if (!hasFiles)
        {
            return sql.Append(empty).ToString();
        }

        var timestamps = columns.Where(c => c.Type.StartsWith("timestamp", StringComparison.Ordinal)).Select(c => $"CAST({Quote(c.Name)} AS TIMESTAMP_MS) AS {Quote(c.Name)}").ToArray();
        var select = timestamps.Length == 0 ? "SELECT *" : $"SELECT * REPLACE ({string.Join(", ", timestamps)})";
        return sql.Append($"{select} FROM ({empty} UNION ALL BY NAME {files})").ToString();
    }

    private static string DuckDbTypeOf(string trinoType) => trinoType switch
    {
        "timestamp(3)" => "TIMESTAMP_MS",
        "integer" => "INTEGER",
        "bigint" => "BIGINT",
        "date" => "DATE",
        _ => "VARCHAR",
    };

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    internal static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
