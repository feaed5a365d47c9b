namespace Me3.Streams.Query;

/// <summary>A column of a lake table as SQL sees it.</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Type">Its type in Trino's spelling (<c>varchar</c>, <c>timestamp(3)</c>, <c>integer</c>,
/// <c>bigint</c>, <c>date</c>).</param>
/// <param name="IsPartitionKey">True for <c>dt</c>, the Hive partition directory.</param>
public sealed record LakeTableColumn(string Name, string Type, bool IsPartitionKey = false);

/// <summary>
/// A table of the lake: its directory <c>{lake}/{name}/dt=YYYY-MM-DD/*.parquet</c> and, for the tables the routing
/// declares, its columns (the Parquet columns the writer produces, then the <c>dt</c> partition key).
/// </summary>
public sealed class LakeTable
{
    internal LakeTable(string name, string directory, IReadOnlyList<LakeTableColumn>? columns)
    {
        Name = name;
        Directory = directory;
        Columns = columns;
    }

    /// <summary>The table's name, also its directory's name.</summary>
    public string Name { get; }

    /// <summary>The table's directory.</summary>
    public string Directory { get; }

    /// <summary>The declared columns, in order, <c>dt</c> last; null for a table found in the lake that the routing
    /// does not declare (its columns are whatever its files hold).</summary>
    public IReadOnlyList<LakeTableColumn>? Columns { get; }

    /// <summary>Whether the routing declares this table.</summary>
    public bool IsDeclared => Columns is not null;

    /// <summary>The glob that matches every landed file of the table (never a file being written).</summary>
    public string FileGlob => Path.Combine(Directory, "dt=*", "*.parquet");

    /// <summary>The table's landed Parquet files, in path order.</summary>
    /// <returns>The files' paths.</returns>
    public IReadOnlyList<string> Files()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        try
        {
            return System.IO.Directory.EnumerateDirectories(Directory, "dt=*")
                .SelectMany(d => System.IO.Directory.EnumerateFiles(d, "*.parquet"))
                .Where(f => !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal)
                .ToArray();
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    /// <summary>Whether at least one file has landed.</summary>
    /// <returns>True when the table has data files.</returns>
    public bool HasFiles() => Files().Count > 0;
}
