using System.Runtime.InteropServices;
using DuckDB.NET.Native;

namespace Me3.Streams.Query.DuckDb;

/// <summary>The few functions of DuckDB's C API that DuckDB.NET does not bind: what a prepared statement is and
/// what it returns, known before it runs.</summary>
internal static class DuckDbNative
{
    private const string Library = "duckdb";

    /// <summary><c>DUCKDB_STATEMENT_TYPE_SELECT</c> in duckdb.h.</summary>
    public const int SelectStatement = 1;

    /// <summary>Names of duckdb.h's <c>duckdb_statement_type</c> values, for messages.</summary>
    public static string StatementTypeName(int type) => type switch
    {
        1 => "SELECT",
        2 => "INSERT",
        3 => "UPDATE",
        4 => "EXPLAIN",
        5 => "DELETE",
        6 => "PREPARE",
        7 => "CREATE",
        8 => "EXECUTE",
        9 => "ALTER",
        10 => "TRANSACTION",
        11 => "COPY",
        12 => "ANALYZE",
        13 => "SET VARIABLE",
        14 => "CREATE FUNCTION",
        15 => "DROP",
        16 => "EXPORT",
        17 => "PRAGMA",
        18 => "VACUUM",
        19 => "CALL",
        20 => "SET",
        21 => "LOAD",
        22 => "RELATION",
        23 => "EXTENSION",
        24 => "LOGICAL PLAN",
        25 => "ATTACH",
        26 => "DETACH",
        27 => "MULTI",
        _ => "unknown",
    };

    [DllImport(Library, EntryPoint = "duckdb_prepared_statement_type")]
    public static extern int PreparedStatementType(DuckDBPreparedStatement statement);

    [DllImport(Library, EntryPoint = "duckdb_prepared_statement_column_count")]
    public static extern ulong PreparedStatementColumnCount(DuckDBPreparedStatement statement);

    [DllImport(Library, EntryPoint = "duckdb_prepared_statement_column_name")]
    public static extern IntPtr PreparedStatementColumnName(DuckDBPreparedStatement statement, ulong column);

    [DllImport(Library, EntryPoint = "duckdb_prepared_statement_column_logical_type")]
    public static extern DuckDBLogicalType PreparedStatementColumnLogicalType(DuckDBPreparedStatement statement, ulong column);

    [DllImport(Library, EntryPoint = "duckdb_free")]
    public static extern void Free(IntPtr pointer);
}
