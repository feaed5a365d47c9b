using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace Me3.Streams.Query.DuckDb;

/// <summary>
/// The embedded SQL engine: an in-process, in-memory DuckDB whose tables are views over the lake's Parquet files
/// (see <see cref="LakeCatalog"/>). It can read the lake and nothing else, enforced by DuckDB itself: file access is
/// limited to the lake's directory, extensions can be neither installed nor loaded, the configuration is locked, and
/// only statements DuckDB's parser types as queries are run. A file landed after start-up is in the next query.
/// Thread-safe; queries run in parallel up to <see cref="DuckDbSettings.MaxConcurrentQueries"/>.
/// </summary>
public sealed partial class DuckDbQueryEngine : IQueryEngine
{
    private readonly DuckDBConnection _root;
    private readonly DuckDbLakeViews _views;
    private readonly ConcurrentBag<DuckDBConnection> _idle = [];
    private readonly SemaphoreSlim _slots;
    private readonly string _scratch;
    private int _disposed;

    /// <summary>Opens the engine over a lake.</summary>
    /// <param name="catalog">The lake's tables.</param>
    /// <param name="settings">Concurrency and memory; <see cref="DuckDbSettings.Default"/> when null.</param>
    /// <exception cref="Me3Exception">DuckDB cannot start with these settings.</exception>
    public DuckDbQueryEngine(LakeCatalog catalog, DuckDbSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        settings ??= DuckDbSettings.Default;
        if (settings.MemoryLimit is { } limit && !MemoryLimitPattern().IsMatch(limit))
        {
            throw new Me3Exception($"DuckDB memory limit '{limit}' is not a size such as 512MB or 2GB.");
        }

        Catalog = catalog;
        _views = new DuckDbLakeViews(catalog);
        _slots = new SemaphoreSlim(settings.MaxConcurrentQueries, settings.MaxConcurrentQueries);
        _scratch = Path.Combine(Path.GetTempPath(), $"me3-duckdb-{Environment.ProcessId}-{Guid.NewGuid():N}");
        _root = new DuckDBConnection("Data Source=:memory:");
        try
        {
            _root.Open();
            var lake = Path.TrimEndingDirectorySeparator(catalog.LakePath) + Path.DirectorySeparatorChar;
            string[] setup =
            [
                "SET TimeZone = 'UTC'",
                "SET autoinstall_known_extensions = false",
                "SET autoload_known_extensions = false",
                "SET parquet_metadata_cache = true",
                $"SET temp_directory = {DuckDbLakeViews.Literal(_scratch)}",
                .. settings.MemoryLimit is { } memory ? [$"SET memory_limit = {DuckDbLakeViews.Literal(memory)}"] : Array.Empty<string>(),
                .. settings.Threads is { } threads ? [$"SET threads = {threads}"] : Array.Empty<string>(),
                $"SET allowed_directories = [{DuckDbLakeViews.Literal(lake)}]",
                "SET enable_external_access = false",
                "SET lock_configuration = true",
            ];
            foreach (var sql in setup)
            {
                using var command = _root.CreateCommand();
                command.CommandText = sql;
                command.ExecuteNonQuery();
            }
        }
        catch (DuckDBException e)
        {
            _root.Dispose();
            throw new Me3Exception($"The embedded DuckDB could not start: {e.Message}", e, file: catalog.LakePath);
        }
    }

    /// <summary>The lake's tables.</summary>
    public LakeCatalog Catalog { get; }

    /// <inheritdoc />
    public string Description => $"embedded DuckDB over {Catalog.LakePath}";

    /// <inheritdoc />
    public async Task<QueryResult> ExecuteAsync(string sql, QueryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        options ??= QueryOptions.Default;
        var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.Timeout);
        var token = limit.Token;
        DuckDBConnection? connection = null;
        Lease? lease = null;
        var slot = false;
        try
        {
            await _slots.WaitAsync(token).ConfigureAwait(false);
            slot = true;
            connection = _idle.TryTake(out var idle) ? idle : _root.Duplicate();
            if (connection.State != System.Data.ConnectionState.Open)
            {
                connection.Open();
            }

            await _views.RefreshAsync(connection, token).ConfigureAwait(false);
            var open = connection;
            var (columns, command, reader) = await Task.Run(() => Start(open, sql, token), token).ConfigureAwait(false);
            lease = new Lease(this, connection, command, reader, limit);
            return new QueryResult(columns, ReadAsync(lease, columns, cancellationToken), options.MaxRows, lease.DisposeAsync);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(options);
        }
        catch (DuckDBException e)
        {
            throw DuckDbErrors.From(e.Message, e);
        }
        finally
        {
            if (lease is null)
            {
                if (connection is not null)
                {
                    _idle.Add(connection);
                }

                if (slot)
                {
                    _slots.Release();
                }

                limit.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            while (_idle.TryTake(out var connection))
            {
                connection.Dispose();
            }

            _root.Dispose();
            _slots.Dispose();
            _views.Dispose();
            TryDeleteScratch();
        }

        return ValueTask.CompletedTask;
    }

    private static (IReadOnlyList<QueryColumn>, DuckDBCommand, DuckDBDataReader) Start(DuckDBConnection connection, string sql, CancellationToken token)
    {
        var columns = DuckDbStatementGuard.Inspect(connection, sql);
        var command = connection.CreateCommand();
        try
        {
            command.CommandText = sql;
            command.UseStreamingMode = true;
            using (token.Register(command.Cancel))
            {
                token.ThrowIfCancellationRequested();
                return (columns, command, (DuckDBDataReader)command.ExecuteReader());
            }
        }
        catch (DuckDBException e)
        {
            command.Dispose();
            throw DuckDbErrors.From(e.Message, e);
        }
        catch
        {
            command.Dispose();
            throw;
        }
    }

    private static async IAsyncEnumerable<object?[]> ReadAsync(Lease lease, IReadOnlyList<QueryColumn> columns, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const int ChunkRows = 2048;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Limit.Token);
        using var cancel = stop.Token.Register(lease.Command.Cancel);
        var chunk = new List<object?[]>(ChunkRows);
        var more = true;
        while (more)
        {
            chunk.Clear();
            try
            {
                more = await Task.Run(() => ReadChunk(lease.Reader, columns, chunk, ChunkRows, stop.Token), stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && lease.Limit.IsCancellationRequested)
            {
                throw TimedOut(null);
            }
            catch (DuckDBException) when (!cancellationToken.IsCancellationRequested && lease.Limit.IsCancellationRequested)
            {
                throw TimedOut(null);
            }
            catch (DuckDBException e)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw DuckDbErrors.From(e.Message, e);
            }

            foreach (var row in chunk)
            {
                yield return row;
            }
        }
    }

    private static bool ReadChunk(DuckDBDataReader reader, IReadOnlyList<QueryColumn> columns, List<object?[]> chunk, int max, CancellationToken token)
    {
        while (chunk.Count < max)
        {
            token.ThrowIfCancellationRequested();
            if (!reader.Read())
            {
                return false;
            }

            var row = new object?[columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : DuckDbTypes.ToClr(reader.GetValue(i), columns[i].Type);
            }

            chunk.Add(row);
        }

        return true;
    }

    private static QueryException TimedOut(QueryOptions? options) =>
        new(QueryErrors.ExceededTimeLimit, options is null
            ? "The query exceeded its time limit and was stopped."
            : $"The query exceeded its time limit of {options.Timeout.TotalSeconds:0.###} s and was stopped.");

    private void Return(DuckDBConnection connection)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _idle.Add(connection);
            _slots.Release();
        }
        else
        {
            connection.Dispose();
        }
    }

    private void TryDeleteScratch()
    {
        try
        {
            if (Directory.Exists(_scratch))
            {
                Directory.Delete(_scratch, recursive: true);
            }
        }
        catch (IOException)
        {
            // DuckDB's spill files; the OS temp cleaner removes leftovers
        }
        catch (UnauthorizedAccessException)
        {
            // as above
        }
    }

    [GeneratedRegex(@"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex MemoryLimitPattern();

    /// <summary>A running query's hold on a connection and a slot, given back when its result is disposed.</summary>
    private sealed class Lease(DuckDbQueryEngine engine, DuckDBConnection connection, DuckDBCommand command, DuckDBDataReader reader, CancellationTokenSource limit)
    {
        private int _released;

        public DuckDBCommand Command { get; } = command;

        public DuckDBDataReader Reader { get; } = reader;

        public CancellationTokenSource Limit { get; } = limit;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return ValueTask.CompletedTask;
            }

            try
            {
                Command.Cancel();
            }
            catch (DuckDBException)
            {
                // already finished
            }

            Reader.Dispose();
            Command.Dispose();
            Limit.Dispose();
            engine.Return(connection);
            return ValueTask.CompletedTask;
        }
    }
}
