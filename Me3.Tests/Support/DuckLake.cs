using DuckDB.NET.Data;

namespace Me3.Tests.Support;

/// <summary>Reads the lake with DuckDB, an independent Parquet reader, the way Hive-style readers see it.</summary>
public sealed class DuckLake : IDisposable
{
    private readonly DuckDBConnection _connection;
    private readonly string _lake;

    public DuckLake(string lake)
    {
        _lake = lake;
        _connection = new DuckDBConnection("Data Source=:memory:");
        _connection.Open();
        using var tz = _connection.CreateCommand();
        tz.CommandText = "SET TimeZone = 'UTC'";
        tz.ExecuteNonQuery();
    }

    /// <summary>A table expression over all landed files of a table, with the dt partition column.</summary>
    public string Table(string table) =>
        $"read_parquet('{Path.Combine(_lake, table)}/*/*.parquet', hive_partitioning = true)";

    public bool HasFiles(string table) =>
        Directory.Exists(Path.Combine(_lake, table)) &&
        Directory.EnumerateFiles(Path.Combine(_lake, table), "*.parquet", SearchOption.AllDirectories).Any();

    public long Count(string table) => HasFiles(table) ? Scalar<long>($"SELECT count(*) FROM {Table(table)}") : 0;

    public T Scalar<T>(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return (T)Convert.ChangeType(value!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public List<object?[]> Rows(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Column name → DuckDB type of a table.</summary>
    public Dictionary<string, string> Describe(string table) =>
        Rows($"DESCRIBE SELECT * FROM read_parquet('{Path.Combine(_lake, table)}/*/*.parquet')")
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);

    /// <summary>All (partition, offset) positions landed across the given tables, with duplicates kept.</summary>
    public List<(int Partition, long Offset)> Positions(params string[] tables) =>
        tables.Where(HasFiles)
            .SelectMany(t => Rows($"SELECT kafka_partition, kafka_offset FROM {Table(t)}"))
            .Select(r => (Convert.ToInt32(r[0], System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();

    public void Dispose() => _connection.Dispose();
}
