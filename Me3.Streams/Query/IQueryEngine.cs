namespace Me3.Streams.Query;

/// <summary>
/// SQL over the lake. One interface for every engine: the embedded one (<see cref="DuckDb.DuckDbQueryEngine"/>, one
/// machine, no cluster) and a Trino cluster's, so that the business questions, the report and the CLI run unchanged on
/// either. The embedded engine is read-only (a statement that is not a query fails with a <see cref="QueryException"/>); on
/// a Trino cluster (<see cref="Trino.TrinoQueryEngine"/>) the cluster's access control decides what runs.
/// </summary>
public interface IQueryEngine : IAsyncDisposable
{
    /// <summary>What the engine is and where it reads, for messages: "embedded DuckDB over /data/lake".</summary>
    string Description { get; }

    /// <summary>
    /// Runs one statement. The result streams: its rows are read as <see cref="QueryResult.ReadRowsAsync"/> is
    /// enumerated, at most <see cref="QueryOptions.MaxRows"/> of them, and the whole query (running and reading) is
    /// bounded by <see cref="QueryOptions.Timeout"/>.
    /// </summary>
    /// <param name="sql">One SQL statement.</param>
    /// <param name="options">Row limit and timeout; <see cref="QueryOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the query (the engine stops it, too).</param>
    /// <returns>The result, with its columns known; dispose it to release the engine's resources.</returns>
    /// <exception cref="QueryException">The statement is refused, invalid or fails, or the time limit is exceeded.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<QueryResult> ExecuteAsync(string sql, QueryOptions? options = null, CancellationToken cancellationToken = default);
}
