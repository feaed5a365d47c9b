using System.Runtime.InteropServices;
using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace Me3.Streams.Query.DuckDb;

/// <summary>
/// Lets only queries through, decided by DuckDB's own parser and binder: the statement is split and prepared (never
/// run), and it must be exactly one statement whose prepared type is SELECT. This is the second wall: the first is the
/// database's configuration (no file access outside the lake, no extensions, locked settings), which cannot tell a
/// <c>COPY ... TO</c> into the lake from a read.
/// </summary>
internal static class DuckDbStatementGuard
{
    /// <summary>Checks <paramref name="sql"/> and returns its result columns.</summary>
    /// <exception cref="QueryException">It does not parse or bind, is more than one statement, or is not a query.</exception>
    public static IReadOnlyList<QueryColumn> Inspect(DuckDBConnection connection, string sql)
    {
        var native = connection.NativeConnection;
        var count = NativeMethods.ExtractStatements.DuckDBExtractStatements(native, sql, out var extracted);
        using (extracted)
        {
            if (count == 0)
            {
                var error = NativeMethods.ExtractStatements.DuckDBExtractStatementsError(extracted);
                throw string.IsNullOrWhiteSpace(error)
                    ? new QueryException(QueryErrors.SyntaxError, "The query is empty: give one SQL statement.")
                    : DuckDbErrors.From(error);
            }

            if (count > 1)
            {
                throw new QueryException(QueryErrors.NotSupported, $"Give one statement per query, not {count}.");
            }

            if (NativeMethods.ExtractStatements.DuckDBPrepareExtractedStatement(native, extracted, 0, out var prepared) != DuckDBState.Success)
            {
                using (prepared)
                {
                    var error = DuckDbErrors.From(NativeMethods.PreparedStatements.DuckDBPrepareError(prepared));
                    throw IsQuery(sql) || error.Error == QueryErrors.PermissionDenied
                        ? error
                        : new QueryException(QueryErrors.PermissionDenied, $"The lake is read-only: only queries run here ({error.Message}).", error);
                }
            }

            using (prepared)
            {
                var type = DuckDbNative.PreparedStatementType(prepared);
                if (type != DuckDbNative.SelectStatement)
                {
                    throw new QueryException(QueryErrors.PermissionDenied,
                        $"The lake is read-only: only queries (SELECT, WITH, SHOW, DESCRIBE) run here, and this statement is {DuckDbNative.StatementTypeName(type)}.");
                }

                return Columns(prepared);
            }
        }
    }

    /// <summary>
    /// Whether the statement starts like a query. Only used to name the error of a statement DuckDB already refused
    /// (an INSERT into a view fails to bind as "not a base table": the user should read "read-only").
    /// </summary>
    private static bool IsQuery(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        while (text.StartsWith("(", StringComparison.Ordinal))
        {
            text = text[1..].TrimStart();
        }

        var end = text.IndexOfAny(" \t\r\n(");
        var keyword = (end < 0 ? text : text[..end]).ToString().ToUpperInvariant();
        return keyword is "SELECT" or "WITH" or "FROM" or "VALUES" or "SHOW" or "DESCRIBE" or "DESC" or "SUMMARIZE" or "TABLE" or "EXPLAIN";
    }

    private static QueryColumn[] Columns(DuckDBPreparedStatement prepared)
    {
        var count = DuckDbNative.PreparedStatementColumnCount(prepared);
        var columns = new QueryColumn[count];
        for (ulong i = 0; i < count; i++)
        {
            var pointer = DuckDbNative.PreparedStatementColumnName(prepared, i);
            string name;
            try
            {
                name = Marshal.PtrToStringUTF8(pointer) ?? "";
            }
            finally
            {
                DuckDbNative.Free(pointer);
            }

            using var type = DuckDbNative.PreparedStatementColumnLogicalType(prepared, i);
            columns[i] = new QueryColumn(name, DuckDbTypes.TrinoTypeOf(type));
        }

        return columns;
    }
}
