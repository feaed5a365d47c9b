namespace Me3.Streams.Query;

/// <summary>Conveniences over <see cref="IQueryEngine"/>.</summary>
public static class QueryEngineExtensions
{
    /// <summary>Runs a statement and reads all its rows (up to the row limit).</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="sql">One SQL statement.</param>
    /// <param name="options">Row limit and timeout.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The columns and rows, and whether the rows were cut at the limit.</returns>
    /// <exception cref="QueryException">The statement is refused, invalid or fails.</exception>
    public static async Task<(IReadOnlyList<QueryColumn> Columns, IReadOnlyList<object?[]> Rows, bool Truncated)> QueryAsync(
        this IQueryEngine engine, string sql, QueryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var result = await engine.ExecuteAsync(sql, options, cancellationToken).ConfigureAwait(false);
        await using (result.ConfigureAwait(false))
        {
            var rows = await result.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            return (result.Columns, rows, result.Truncated);
        }
    }
}
