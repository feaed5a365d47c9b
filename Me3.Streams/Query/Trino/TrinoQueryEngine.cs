using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Me3.Streams.Query.Trino;

/// <summary>
/// SQL on a Trino (or Presto) cluster through its REST protocol: <c>POST /v1/statement</c>, then <c>GET</c> each
/// <c>nextUri</c> until the query is done, reading the rows page by page as the caller reads them. Values come typed as
/// <see cref="QueryColumn.ClrType"/> says. A query the caller cancels, abandons (disposes before the last row) or that
/// runs past its time limit is cancelled on the server with <c>DELETE nextUri</c>. Requests answered 429, 502, 503 or
/// 504, or not answered, are retried with backoff (honouring <c>Retry-After</c>). The session follows the server's
/// <c>Set-Catalog</c>/<c>Set-Schema</c>/<c>Set-Session</c> answers, as Trino's CLI does. What may run is the cluster's
/// access control's business: unlike the embedded engine, this one does not limit statements to queries.
/// Thread-safe.
/// </summary>
public sealed class TrinoQueryEngine : IQueryEngine
{
    /// <summary>How long a best-effort cancellation may take before the caller gets its answer anyway.</summary>
    private static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Lock _sessionLock = new();
    private TrinoClientSettings _settings;
    private int _disposed;

    /// <summary>Creates an engine for a coordinator.</summary>
    /// <param name="settings">Where the coordinator is, and as whom to run queries.</param>
    /// <param name="httpClient">The HTTP client to use (its lifetime stays the caller's); a new one by default.</param>
    /// <exception cref="QueryException">Credentials would go over plain HTTP to another machine.</exception>
    public TrinoQueryEngine(TrinoClientSettings settings, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.RequireSafeTransport(settings.Server);
        _settings = settings;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The settings, with the session as the server last changed it (catalog, schema, properties).</summary>
    public TrinoClientSettings Settings
    {
        get
        {
            lock (_sessionLock)
            {
                return _settings;
            }
        }
    }

    /// <inheritdoc />
    public string Description => $"Trino at {Settings.Server.GetLeftPart(UriPartial.Authority)}";

    /// <inheritdoc />
    public async Task<QueryResult> ExecuteAsync(string sql, QueryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        options ??= QueryOptions.Default;
        var query = new RemoteQuery(this, options, cancellationToken);
        try
        {
            var columns = await query.StartAsync(sql).ConfigureAwait(false);
            return new QueryResult(columns, query.ReadAsync(cancellationToken), options.MaxRows, query.DisposeAsync, query.Id);
        }
        catch
        {
            await query.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsHttp)
        {
            _http.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static HttpRequestMessage NewRequest(HttpMethod method, Uri uri, TrinoClientSettings settings, string? sql)
    {
        settings.RequireSafeTransport(uri);
        var request = new HttpRequestMessage(method, uri);
        var headers = settings.Headers;
        request.Headers.TryAddWithoutValidation(headers.User, settings.User);
        if (settings.Password is { } password)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.User}:{password}")));
        }
        else if (settings.AccessToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (sql is null)
        {
            return request;
        }

        request.Headers.TryAddWithoutValidation(headers.Source, settings.Source);
        // Without it Trino rounds timestamps to milliseconds and names them "timestamp", losing the precision.
        request.Headers.TryAddWithoutValidation(headers.ClientCapabilities, "PARAMETRIC_DATETIME");
        if (settings.Catalog is { } catalog)
        {
            request.Headers.TryAddWithoutValidation(headers.Catalog, catalog);
        }

        if (settings.Schema is { } schema)
        {
            request.Headers.TryAddWithoutValidation(headers.Schema, schema);
        }

        if (!settings.SessionProperties.IsEmpty)
        {
            request.Headers.TryAddWithoutValidation(headers.Session,
                string.Join(",", settings.SessionProperties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}")));
        }

        request.Content = new StringContent(sql, Encoding.UTF8, "text/plain");
        return request;
    }

    /// <summary>Sends a request, retrying 429/502/503/504 and transport failures with backoff.</summary>
    private async Task<(JsonDocument Body, HttpResponseHeaders Headers)> SendAsync(HttpMethod method, Uri uri, string? sql, CancellationToken token)
    {
        var settings = Settings;
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            using (var request = NewRequest(method, uri, settings, sql))
            {
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                }
                catch (HttpRequestException) when (attempt < settings.MaxRetries)
                {
                    await Task.Delay(Backoff(settings, attempt, null), token).ConfigureAwait(false);
                    continue;
                }
                catch (HttpRequestException e)
                {
                    throw new QueryException(QueryErrors.GenericInternalError, $"Trino at {uri.GetLeftPart(UriPartial.Authority)} is not reachable: {e.Message}", e);
                }
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is 429 or 502 or 503 or 504 && attempt < settings.MaxRetries)
                {
                    await Task.Delay(Backoff(settings, attempt, response.Headers.RetryAfter), token).ConfigureAwait(false);
                    continue;
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    var text = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
                    var detail = text.Split('\n', 2)[0].Trim();
                    var error = status is 401 or 403 ? QueryErrors.PermissionDenied : QueryErrors.GenericInternalError;
                    throw new QueryException(error, $"Trino answered {method} {uri.AbsolutePath} with HTTP {status}{(detail.Length > 0 ? ": " + detail : "")}.");
                }

                var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
                try
                {
                    return (await JsonDocument.ParseAsync(stream, default, token).ConfigureAwait(false), response.Headers);
                }
                catch (JsonException e)
                {
                    throw new QueryException(QueryErrors.GenericInternalError, $"Trino answered {method} {uri.AbsolutePath} with something that is not the protocol's JSON: {e.Message}", e);
                }
            }
        }
    }

    private static TimeSpan Backoff(TrinoClientSettings settings, int attempt, RetryConditionHeaderValue? retryAfter)
    {
        var wait = retryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => settings.RetryBackoff * Math.Pow(2, Math.Min(attempt, 16)),
        };
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > settings.MaxRetryBackoff ? settings.MaxRetryBackoff : wait;
    }

    /// <summary>Applies the session changes a response carries (<c>USE</c>, <c>SET SESSION</c>, <c>RESET SESSION</c>).</summary>
    private void ApplySession(HttpResponseHeaders headers)
    {
        lock (_sessionLock)
        {
            var names = _settings.Headers;
            var next = _settings;
            if (headers.TryGetValues(names.SetCatalog, out var catalogs))
            {
                next = next with { Catalog = catalogs.Last() };
            }

            if (headers.TryGetValues(names.SetSchema, out var schemas))
            {
                next = next with { Schema = schemas.Last() };
            }

            if (headers.TryGetValues(names.SetSession, out var sets))
            {
                foreach (var set in sets.SelectMany(v => v.Split(',')))
                {
                    var equals = set.IndexOf('=', StringComparison.Ordinal);
                    if (equals > 0)
                    {
                        next = next with { SessionProperties = next.SessionProperties.SetItem(set[..equals].Trim(), Uri.UnescapeDataString(set[(equals + 1)..].Trim())) };
                    }
                }
            }

            if (headers.TryGetValues(names.ClearSession, out var clears))
            {
                foreach (var clear in clears.SelectMany(v => v.Split(',')))
                {
                    next = next with { SessionProperties = next.SessionProperties.Remove(clear.Trim()) };
                }
            }

            _settings = next;
        }
    }

    /// <summary>One query on the server: its next page's address, and the pages' rows as they come.</summary>
    private sealed class RemoteQuery(TrinoQueryEngine engine, QueryOptions options, CancellationToken cancellationToken)
    {
        private readonly CancellationTokenSource _limit = NewLimit(options, cancellationToken);
        private readonly Queue<object?[]> _buffered = new();
        private Uri? _next;
        private IReadOnlyList<QueryColumn>? _columns;
        private int _disposed;

        public string? Id { get; private set; }

        /// <summary>Submits the statement and follows pages until the columns are known (or the query ended).</summary>
        public async Task<IReadOnlyList<QueryColumn>> StartAsync(string sql)
        {
            await GuardAsync(async () =>
            {
                var settings = engine.Settings;
                await PageAsync(HttpMethod.Post, new Uri(settings.Server, "v1/statement"), sql).ConfigureAwait(false);
                while (_columns is null && _next is not null)
                {
                    await PageAsync(HttpMethod.Get, _next, null).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            return _columns ?? [];
        }

        public async IAsyncEnumerable<object?[]> ReadAsync([EnumeratorCancellation] CancellationToken readCancellation = default)
        {
            using var link = readCancellation.Register(_limit.Cancel);
            while (true)
            {
                while (_buffered.TryDequeue(out var row))
                {
                    if (_limit.IsCancellationRequested)
                    {
                        await GuardAsync(() => Task.FromCanceled(_limit.Token), readCancellation).ConfigureAwait(false);
                    }

                    yield return row;
                }

                if (_next is null)
                {
                    yield break;
                }

                var next = _next;
                await GuardAsync(() => PageAsync(HttpMethod.Get, next, null), readCancellation).ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await CancelOnServerAsync().ConfigureAwait(false);
            _limit.Dispose();
        }

        private static CancellationTokenSource NewLimit(QueryOptions options, CancellationToken cancellationToken)
        {
            var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(options.Timeout);
            return limit;
        }

        /// <summary>Runs a step; on cancellation or time-out, cancels the query on the server and says which it was.</summary>
        private async Task GuardAsync(Func<Task> step, CancellationToken readCancellation = default)
        {
            try
            {
                await step().ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (_limit.IsCancellationRequested)
            {
                await CancelOnServerAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                readCancellation.ThrowIfCancellationRequested();
                throw new QueryException(QueryErrors.ExceededTimeLimit,
                    $"The query exceeded its time limit of {options.Timeout.TotalSeconds:0.###} s and was cancelled on the server.", e, Id);
            }
        }

        private async Task PageAsync(HttpMethod method, Uri uri, string? sql)
        {
            var (body, headers) = await engine.SendAsync(method, uri, sql, _limit.Token).ConfigureAwait(false);
            using (body)
            {
                engine.ApplySession(headers);
                var root = body.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new QueryException(QueryErrors.GenericInternalError, "Trino answered with JSON that is not a query result.");
                }

                Id ??= root.TryGetProperty("id", out var id) ? id.GetString() : null;
                _next = root.TryGetProperty("nextUri", out var next) && next.ValueKind == JsonValueKind.String ? new Uri(next.GetString()!) : null;
                if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                {
                    _next = null;
                    throw ErrorOf(error);
                }

                if (_columns is null && root.TryGetProperty("columns", out var columns) && columns.ValueKind == JsonValueKind.Array)
                {
                    _columns = [.. columns.EnumerateArray().Select(c => new QueryColumn(c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!))];
                }

                if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
                {
                    var types = _columns ?? throw new QueryException(QueryErrors.GenericInternalError, "Trino sent rows before their columns.");
                    foreach (var row in data.EnumerateArray())
                    {
                        var values = new object?[types.Count];
                        var i = 0;
                        foreach (var value in row.EnumerateArray())
                        {
                            if (i < values.Length)
                            {
                                values[i] = TrinoValues.Decode(value, types[i].Type);
                            }

                            i++;
                        }

                        _buffered.Enqueue(values);
                    }
                }
            }
        }

        private QueryException ErrorOf(JsonElement error)
        {
            var name = error.TryGetProperty("errorName", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "GENERIC_INTERNAL_ERROR";
            var code = error.TryGetProperty("errorCode", out var c) && c.TryGetInt32(out var number) ? number : 65536;
            var type = error.TryGetProperty("errorType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "INTERNAL_ERROR";
            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : name;
            int? line = null, column = null;
            if (error.TryGetProperty("errorLocation", out var location) && location.ValueKind == JsonValueKind.Object)
            {
                line = location.TryGetProperty("lineNumber", out var l) && l.TryGetInt32(out var ln) ? ln : null;
                column = location.TryGetProperty("columnNumber", out var col) && col.TryGetInt32(out var cn) ? cn : null;
            }

            // QueryError is a record: a standard error compares equal to its QueryErrors instance
            return new QueryException(new QueryError(name, code, type), message, null, Id, line, column);
        }

        /// <summary>Best effort: tells the server to stop the query if it may still be running.</summary>
        private async Task CancelOnServerAsync()
        {
            var next = Interlocked.Exchange(ref _next, null);
            if (next is null)
            {
                return;
            }

            using var timeout = new CancellationTokenSource(CancelTimeout);
            try
            {
                var settings = engine.Settings;
                using var request = NewRequest(HttpMethod.Delete, next, settings, null);
                using var response = await engine._http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or Me3Exception)
            {
                // the server drops queries whose client stopped polling; nothing more to do
            }
        }
    }
}
