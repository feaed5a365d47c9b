using System.Buffers;
using System.Diagnostics;
using System.Text.Json;

namespace Me3.Streams.Query.Trino.Server;

/// <summary>Where a protocol query is.</summary>
internal enum TrinoQueryState
{
    Queued,
    Running,
    Finished,
    Failed,
}

/// <summary>
/// One query of the endpoint: started on submission, read page by page as the client asks (rows are pulled from the
/// engine only while a client is reading: a slow client slows the query, it does not fill memory). The last page is kept
/// so that a client retrying a request gets the same answer. Thread-safe: page requests are served one at a time.
/// </summary>
internal sealed class TrinoServerQuery : IAsyncDisposable
{
    private static readonly QueryError TooManyRows = new("GENERIC_INSUFFICIENT_RESOURCES", 131072, "INSUFFICIENT_RESOURCES");

    private readonly TrinoServer _server;
    private readonly TrinoServerSettings _settings;
    private readonly CancellationTokenSource _cancel = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly long _created = Stopwatch.GetTimestamp();
    private readonly Task<(Translation Translation, QueryResult? Result)> _start;
    private QueryResult? _result;
    private IAsyncEnumerator<object?[]>? _rows;
    private Task<bool>? _pendingMove;
    private TrinoType[]? _types;
    private long _token;
    private TrinoResponse? _lastPage;
    private TrinoResponse? _terminal;
    private bool _servedLast;
    private long _rowsSent;
    private long _lastAccess = Stopwatch.GetTimestamp();
    private long _ended;
    private int _released;

    public TrinoServerQuery(TrinoServer server, string id, string sql, TrinoSession session, Uri baseUri)
    {
        _server = server;
        _settings = server.Settings;
        Id = id;
        Slug = Guid.NewGuid().ToString("N");
        Session = session;
        BaseUri = baseUri;
        var token = _cancel.Token;
        _start = Task.Run(() => StartAsync(sql, token));
    }

    public string Id { get; }

    /// <summary>The secret part of the query's addresses, so that nobody else cancels or reads it by its id.</summary>
    public string Slug { get; }

    public TrinoSession Session { get; }

    public Uri BaseUri { get; }

    public TrinoQueryState State { get; private set; } = TrinoQueryState.Queued;

    /// <summary>Whether the query has ended (finished, failed, cancelled or abandoned).</summary>
    public bool IsDone => Volatile.Read(ref _ended) != 0;

    /// <summary>Time since the client last asked for a page (zero while a request is being served).</summary>
    public TimeSpan Idle => _gate.CurrentCount == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(Volatile.Read(ref _lastAccess));

    /// <summary>Time since the query ended.</summary>
    public TimeSpan SinceEnd => IsDone ? Stopwatch.GetElapsedTime(Volatile.Read(ref _ended)) : TimeSpan.Zero;

    /// <summary>The first answer, to the POST: queued, with the address of the first page.</summary>
    public TrinoResponse FirstResponse() => Page(TrinoQueryState.Queued, NextUri(1), default, 0, null, null, []);

    /// <summary>The page <paramref name="token"/>: the next one, or the last one again if the client retries it.</summary>
    public async Task<TrinoResponse> NextAsync(long token, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _lastAccess, Stopwatch.GetTimestamp());
            if (token == _token && _lastPage is not null)
            {
                return _lastPage;
            }

            if (token != _token + 1 || _servedLast)
            {
                return TrinoResponse.Text(410, _servedLast
                    ? $"Query {Id} has ended: its last page was {_token}."
                    : $"Query {Id} has no page {token}: the next page is {_token + 1}.");
            }

            var page = _terminal ?? await BuildPageAsync(maxWait, cancellationToken).ConfigureAwait(false);
            _terminal = null;
            _token = token;
            _lastPage = page;
            _servedLast = IsDone;
            return page;
        }
        finally
        {
            Volatile.Write(ref _lastAccess, Stopwatch.GetTimestamp());
            _gate.Release();
        }
    }

    /// <summary>Stops the query (<c>DELETE</c>, abandonment, shutdown); its next page says why.</summary>
    public async Task CancelAsync(QueryError reason, string message)
    {
        if (IsDone)
        {
            return;
        }

        await _cancel.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!IsDone)
            {
                _terminal = Fail(new QueryException(reason, message, queryId: Id));
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync().ConfigureAwait(false);
        await ReleaseAsync().ConfigureAwait(false);
    }

    private async Task<(Translation, QueryResult?)> StartAsync(string sql, CancellationToken token)
    {
        var translation = await _server.Translator.TranslateAsync(sql, Session, token).ConfigureAwait(false);
        if (translation is not Translation.Query query)
        {
            return (translation, null);
        }

        var options = QueryOptions.Default.WithMaxRows(_settings.MaxRows).WithTimeout(_settings.QueryTimeout);
        return (translation, await _server.Engine.ExecuteAsync(query.Sql, options, token).ConfigureAwait(false));
    }

    private async Task<TrinoResponse> BuildPageAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(maxWait.TotalSeconds * Stopwatch.Frequency);
        if (!_start.IsCompleted && !await WaitAsync(_start, deadline, cancellationToken).ConfigureAwait(false))
        {
            return Page(TrinoQueryState.Queued, NextUri(_token + 2), default, 0, null, null, []);
        }

        Translation translation;
        try
        {
            (translation, _result) = await _start.ConfigureAwait(false);
        }
        catch (Exception e) when (e is QueryException or OperationCanceledException)
        {
            return Fail(e);
        }

        if (translation is Translation.Use use)
        {
            return End(TrinoQueryState.Finished, default, 0, "USE",
                [new(Session.Headers.SetCatalog, use.Catalog), new(Session.Headers.SetSchema, use.Schema)]);
        }

        var result = _result!;
        _types ??= [.. result.Columns.Select(c => TrinoType.Parse(c.Type))];
        _rows ??= result.ReadRowsAsync(_cancel.Token).GetAsyncEnumerator(_cancel.Token);
        State = TrinoQueryState.Running;
        var data = new ArrayBufferWriter<byte>();
        var count = 0;
        var finished = false;
        using (var writer = new Utf8JsonWriter(data))
        {
            writer.WriteStartArray();
            while (count < _settings.PageRows && data.WrittenCount + writer.BytesPending < _settings.PageBytes)
            {
                _pendingMove ??= _rows.MoveNextAsync().AsTask();
                if (!_pendingMove.IsCompleted && !await WaitAsync(_pendingMove, deadline, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                var move = _pendingMove;
                _pendingMove = null;
                bool more;
                try
                {
                    more = await move.ConfigureAwait(false);
                }
                catch (Exception e) when (e is QueryException or OperationCanceledException)
                {
                    return Fail(e);
                }

                if (!more)
                {
                    finished = true;
                    break;
                }

                var row = _rows.Current;
                writer.WriteStartArray();
                for (var i = 0; i < _types.Length; i++)
                {
                    TrinoValues.Encode(writer, row[i], _types[i]);
                }

                writer.WriteEndArray();
                count++;
            }

            writer.WriteEndArray();
        }

        _rowsSent += count;
        if (!finished)
        {
            return Page(TrinoQueryState.Running, NextUri(_token + 2), data.WrittenMemory, count, null, null, []);
        }

        if (result.Truncated)
        {
            return Fail(new QueryException(TooManyRows,
                $"The result has more than {_settings.MaxRows:N0} rows, the most this endpoint returns (Me3:Analytics:MaxRows): add a LIMIT, filter or aggregate.",
                queryId: Id));
        }

        return End(TrinoQueryState.Finished, data.WrittenMemory, count, null, []);
    }

    /// <summary>Waits for a task until the page's deadline; false when the deadline came first.</summary>
    private async Task<bool> WaitAsync(Task task, long deadline, CancellationToken cancellationToken)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        if (remaining <= TimeSpan.Zero)
        {
            return task.IsCompleted;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancel.Token);
        await Task.WhenAny(task, Task.Delay(remaining, stop.Token)).ConfigureAwait(false);
        return task.IsCompleted;
    }

    private TrinoResponse Fail(Exception e)
    {
        var error = e as QueryException ?? new QueryException(QueryErrors.UserCanceled, "Query was canceled", e, Id);
        return End(TrinoQueryState.Failed, default, 0, null, [], error);
    }

    /// <summary>The last page: frees the engine and the query's slot.</summary>
    private TrinoResponse End(TrinoQueryState state, ReadOnlyMemory<byte> data, int rows, string? updateType, IReadOnlyList<KeyValuePair<string, string>> headers, QueryException? error = null)
    {
        State = state;
        Volatile.Write(ref _ended, Stopwatch.GetTimestamp());
        var page = Page(state, null, data, rows, error, updateType, headers);
        _ = ReleaseAsync();
        return page;
    }

    private async Task ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        Volatile.Write(ref _ended, Math.Max(Volatile.Read(ref _ended), 1));
        _server.Release(this);
        try
        {
            if (_pendingMove is { IsCompleted: false } pending)
            {
                await _cancel.CancelAsync().ConfigureAwait(false);
                await pending.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }

            if (_rows is not null)
            {
                await _rows.DisposeAsync().ConfigureAwait(false);
            }

            if (_result is null && !_start.IsCompleted)
            {
                await _cancel.CancelAsync().ConfigureAwait(false);
                await _start.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }

            if (_start.IsFaulted)
            {
                _ = _start.Exception; // failed before any client read it: nothing more to report
            }

            var result = _result ?? (_start.IsCompletedSuccessfully ? _start.Result.Result : null);
            if (result is not null)
            {
                await result.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is QueryException or OperationCanceledException or InvalidOperationException)
        {
            // the query is over either way; its engine resources are released by disposing its result
        }
    }

    private Uri NextUri(long token) =>
        new(BaseUri, $"v1/statement/{(State == TrinoQueryState.Queued ? "queued" : "executing")}/{Id}/{Slug}/{token}");

    private TrinoResponse Page(TrinoQueryState state, Uri? next, ReadOnlyMemory<byte> data, int rows, QueryException? error, string? updateType,
        IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var page = new TrinoPage(Id, new Uri(BaseUri, $"ui/query.html?{Id}"), state, next, error is null ? _result?.Columns : null, _types, data, rows,
            error, updateType, (long)Stopwatch.GetElapsedTime(_created).TotalMilliseconds, _rowsSent);
        return new TrinoResponse(200, TrinoPageWriter.Write(page), headers);
    }
}
