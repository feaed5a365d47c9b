using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace Me3.Streams.Query.Trino.Server;

/// <summary>
/// The Trino (and Presto) client protocol served over an engine, so that Trino's CLI and JDBC driver, DBeaver, Superset,
/// pyhive's <c>presto://</c> and the Python and Node clients query the lake with no cluster. Transport-free: the host
/// maps <c>POST /v1/statement</c> to <see cref="Submit"/>, <c>GET</c> and <c>DELETE</c> of a <c>nextUri</c> to
/// <see cref="NextAsync"/> and <see cref="CancelAsync"/>, <c>GET /v1/info</c> to <see cref="Info"/>, and sends each
/// <see cref="TrinoResponse"/> as is. Statements go through <c>TrinoSqlTranslator</c> (names, <c>SHOW</c>, metadata
/// tables) to the engine, which decides what may run (the embedded one: read-only queries of the lake). Queries are
/// bounded in number (<see cref="TrinoServerSettings.MaxQueries"/>, then 503), time and rows, and a query whose client
/// stops asking for pages is cancelled after <see cref="TrinoServerSettings.AbandonAfter"/>. Thread-safe.
/// </summary>
public sealed class TrinoServer : IAsyncDisposable
{
    /// <summary>When the process started: a Trino node's uptime is the server's, not this object's (the host creates
    /// it on the first Trino request).</summary>
    private static readonly DateTime ProcessStarted = ProcessStartTime();

    private readonly ConcurrentDictionary<string, TrinoServerQuery> _queries = new(StringComparer.Ordinal);
    private readonly Timer _sweeper;
    private readonly string _node = Guid.NewGuid().ToString("N")[..5];
    private int _active;
    private int _sequence;
    private int _disposed;

    /// <summary>Serves an engine's lake.</summary>
    /// <param name="engine">The engine that runs the statements.</param>
    /// <param name="catalog">The lake's tables, for the metadata clients ask for.</param>
    /// <param name="settings">Catalog names and limits; <see cref="TrinoServerSettings.Default"/> when null.</param>
    public TrinoServer(IQueryEngine engine, LakeCatalog catalog, TrinoServerSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(catalog);
        Engine = engine;
        Settings = settings ?? TrinoServerSettings.Default;
        Translator = new TrinoSqlTranslator(catalog, engine, Settings);
        var sweep = TimeSpan.FromTicks(Math.Clamp(Settings.AbandonAfter.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond * 5));
        _sweeper = new Timer(_ => _ = SweepSafelyAsync(), null, sweep, sweep);
    }

    /// <summary>The settings.</summary>
    public TrinoServerSettings Settings { get; }

    /// <summary>Queries held now (running, or waiting for the engine or their client).</summary>
    public int ActiveQueries => Volatile.Read(ref _active);

    internal IQueryEngine Engine { get; }

    internal TrinoSqlTranslator Translator { get; }

    /// <summary>Starts a query (<c>POST /v1/statement</c>).</summary>
    /// <param name="sql">The statement.</param>
    /// <param name="session">Who asks, and their session.</param>
    /// <param name="baseUri">The server's address as the client reached it (for the <c>nextUri</c>s), ending with a slash.</param>
    /// <returns>The queued query's first page, or 503 when <see cref="TrinoServerSettings.MaxQueries"/> are held.</returns>
    public TrinoResponse Submit(string sql, TrinoSession session, Uri baseUri)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(baseUri);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Increment(ref _active) > Settings.MaxQueries)
        {
            Interlocked.Decrement(ref _active);
            return TrinoResponse.Text(503, $"Too many queries: {Settings.MaxQueries} are running or waiting (Me3:Analytics:MaxQueries). Retry shortly.", 1);
        }

        var id = string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyyMMdd_HHmmss}_{Interlocked.Increment(ref _sequence) % 100_000:D5}_{_node}");
        var query = new TrinoServerQuery(this, id, sql, session, baseUri);
        _queries[id] = query;
        return query.FirstResponse();
    }

    /// <summary>The next page of a query (<c>GET nextUri</c>), waiting up to <paramref name="maxWait"/> for rows.</summary>
    /// <param name="queryId">The query.</param>
    /// <param name="slug">The secret part of its address.</param>
    /// <param name="token">The page asked for.</param>
    /// <param name="maxWait">Longest wait for rows; <see cref="TrinoServerSettings.MaxWait"/> when null (and at most that).</param>
    /// <param name="cancellationToken">The client went away.</param>
    /// <returns>The page; 404 for an unknown query, 410 for a page no longer kept.</returns>
    public Task<TrinoResponse> NextAsync(string queryId, string slug, long token, TimeSpan? maxWait = null, CancellationToken cancellationToken = default)
    {
        if (!TryFind(queryId, slug, out var query))
        {
            return Task.FromResult(TrinoResponse.Text(404, $"Query {queryId} does not exist (it may have ended long ago)."));
        }

        var wait = maxWait is { } asked && asked < Settings.MaxWait ? asked : Settings.MaxWait;
        return query.NextAsync(token, wait < TimeSpan.Zero ? TimeSpan.Zero : wait, cancellationToken);
    }

    /// <summary>Cancels a query (<c>DELETE nextUri</c>).</summary>
    /// <param name="queryId">The query.</param>
    /// <param name="slug">The secret part of its address.</param>
    /// <returns>204, or 404 for an unknown query.</returns>
    public async Task<TrinoResponse> CancelAsync(string queryId, string slug)
    {
        if (!TryFind(queryId, slug, out var query))
        {
            return TrinoResponse.Text(404, $"Query {queryId} does not exist.");
        }

        await query.CancelAsync(QueryErrors.UserCanceled, "Query was canceled").ConfigureAwait(false);
        return new TrinoResponse(204, ReadOnlyMemory<byte>.Empty, []);
    }

    /// <summary><c>GET /v1/info</c>: the server's version, and that it is not starting.</summary>
    /// <returns>The answer.</returns>
    public TrinoResponse Info()
    {
        using var body = new MemoryStream();
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("nodeVersion");
            writer.WriteString("version", Settings.Version);
            writer.WriteEndObject();
            writer.WriteString("environment", "me3");
            writer.WriteBoolean("coordinator", true);
            writer.WriteBoolean("starting", false);
            writer.WriteString("uptime", string.Create(CultureInfo.InvariantCulture, $"{(DateTime.UtcNow - ProcessStarted).TotalMinutes:0.00}m"));
            writer.WriteEndObject();
        }

        return new TrinoResponse(200, body.ToArray(), []);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _sweeper.DisposeAsync().ConfigureAwait(false);
        foreach (var query in _queries.Values)
        {
            await query.DisposeAsync().ConfigureAwait(false);
        }

        _queries.Clear();
    }

    /// <summary>Called once by a query when it ends.</summary>
    internal void Release(TrinoServerQuery query) => Interlocked.Decrement(ref _active);

    /// <summary>Cancels queries whose client stopped asking, and forgets ended ones after the same delay.</summary>
    internal async Task SweepAsync()
    {
        foreach (var (id, query) in _queries)
        {
            if (query.IsDone)
            {
                if (query.SinceEnd > Settings.AbandonAfter)
                {
                    _queries.TryRemove(id, out _);
                }
            }
            else if (query.Idle > Settings.AbandonAfter)
            {
                await query.CancelAsync(QueryErrors.AbandonedQuery,
                    $"Query {id} was abandoned by the client, as it may have exited or stopped checking for query results: no request for {Settings.AbandonAfter.TotalSeconds:0.#} s")
                    .ConfigureAwait(false);
            }
        }
    }

    private async Task SweepSafelyAsync()
    {
        try
        {
            await SweepAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // shutting down
        }
    }

    private bool TryFind(string queryId, string slug, out TrinoServerQuery query) =>
        _queries.TryGetValue(queryId, out query!) && string.Equals(query.Slug, slug, StringComparison.Ordinal);

    private static DateTime ProcessStartTime()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.StartTime.ToUniversalTime();
    }
}
