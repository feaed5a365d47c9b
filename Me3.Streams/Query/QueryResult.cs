using System.Runtime.CompilerServices;

namespace Me3.Streams.Query;

/// <summary>
/// A query's result: its columns, known as soon as the query started, and its rows, read once as they come
/// (<see cref="ReadRowsAsync"/>). Values are the .NET types of <see cref="QueryColumn.ClrType"/>, or null. Dispose it
/// to release the engine's resources, whether or not every row was read.
/// </summary>
public sealed class QueryResult : IAsyncDisposable
{
    private readonly IAsyncEnumerable<object?[]> _rows;
    private readonly Func<ValueTask>? _onDispose;
    private int _reading;
    private int _disposed;

    /// <summary>Creates a result; for engines.</summary>
    /// <param name="columns">The columns.</param>
    /// <param name="rows">The rows, read once; the engine applies its time limit to them.</param>
    /// <param name="maxRows">Most rows handed out; past it <see cref="Truncated"/> is set and reading stops.</param>
    /// <param name="onDispose">Releases the engine's resources.</param>
    /// <param name="queryId">The engine's id of the query, if it has one.</param>
    public QueryResult(IReadOnlyList<QueryColumn> columns, IAsyncEnumerable<object?[]> rows, int maxRows, Func<ValueTask>? onDispose = null, string? queryId = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        Columns = columns;
        _rows = rows;
        MaxRows = maxRows;
        _onDispose = onDispose;
        QueryId = queryId;
    }

    /// <summary>The result's columns, in order.</summary>
    public IReadOnlyList<QueryColumn> Columns { get; }

    /// <summary>The engine's id of the query, if it has one.</summary>
    public string? QueryId { get; }

    /// <summary>Most rows this result hands out.</summary>
    public int MaxRows { get; }

    /// <summary>Rows handed out so far.</summary>
    public long RowsRead { get; private set; }

    /// <summary>True once reading stopped at <see cref="MaxRows"/> with more rows left.</summary>
    public bool Truncated { get; private set; }

    /// <summary>The rows, in the engine's order; can be enumerated once.</summary>
    /// <param name="cancellationToken">Stops reading (and the query).</param>
    /// <returns>The rows.</returns>
    /// <exception cref="QueryException">The query failed while running, or exceeded its time limit.</exception>
    /// <exception cref="InvalidOperationException">The rows were already read.</exception>
    public async IAsyncEnumerable<object?[]> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException("A query result's rows can be read only once.");
        }

        await foreach (var row in _rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (RowsRead == MaxRows)
            {
                Truncated = true;
                yield break;
            }

            RowsRead++;
            yield return row;
        }
    }

    /// <summary>Reads every row (up to <see cref="MaxRows"/>) into a list.</summary>
    /// <param name="cancellationToken">Stops reading (and the query).</param>
    /// <returns>The rows.</returns>
    /// <exception cref="QueryException">The query failed while running, or exceeded its time limit.</exception>
    public async Task<IReadOnlyList<object?[]>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        var rows = new List<object?[]>();
        await foreach (var row in ReadRowsAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _onDispose is not null)
        {
            await _onDispose().ConfigureAwait(false);
        }
    }
}
