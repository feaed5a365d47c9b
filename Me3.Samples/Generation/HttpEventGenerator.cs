using System.Diagnostics;
using System.Net;

namespace Me3.Samples.Generation;

/// <summary>What a generator run did.</summary>
/// <param name="Sent">Requests sent.</param>
/// <param name="Accepted">Requests answered 200: events the game API had Kafka acknowledge.</param>
/// <param name="Failures">Failed requests by reason (HTTP status, or the error).</param>
/// <param name="Elapsed">Wall time of the run.</param>
/// <param name="LatenciesMs">Each request's latency in milliseconds, sorted.</param>
internal sealed record GeneratorReport(long Sent, long Accepted, IReadOnlyDictionary<string, long> Failures, TimeSpan Elapsed, float[] LatenciesMs)
{
    public long Failed => Failures.Values.Sum();

    public double RequestsPerSecond => Sent / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>The latency below which <paramref name="percent"/>% of requests finished (nearest rank).</summary>
    public double Percentile(double percent) =>
        LatenciesMs.Length == 0 ? 0 : LatenciesMs[Math.Clamp((int)Math.Ceiling(percent / 100 * LatenciesMs.Length) - 1, 0, LatenciesMs.Length - 1)];
}

/// <summary>Progress of a run: requests finished so far, of how many.</summary>
internal readonly record struct GeneratorProgress(long Done, long Accepted, long Failed, long Total);

/// <summary>
/// Drives a running Me3.Host over HTTP as players would, like the reference design's event generator did with
/// python requests: each <see cref="GameAction"/> becomes a GET to the game API with the player's parameters, device
/// (User-Agent) and host (Host header). The same seed sends the same requests (in order of issue; with concurrency,
/// completion order varies). An optional rate caps requests per second; concurrency bounds requests in flight.
/// </summary>
internal sealed class HttpEventGenerator : IDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _baseUrl;
    private readonly bool _playerHosts;

    /// <param name="baseUrl">The game API, such as <c>http://127.0.0.1:5080</c>.</param>
    /// <param name="concurrency">Requests in flight at once (and connections).</param>
    /// <param name="playerHosts">Send each player's host name as the Host header, as the reference's load test did
    /// (only where nothing in between routes by Host).</param>
    /// <param name="handler">The HTTP handler; default a pooled socket handler (tests pass an in-memory one).</param>
    public HttpEventGenerator(Uri baseUrl, int concurrency, bool playerHosts, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        _baseUrl = baseUrl;
        _playerHosts = playerHosts;
        _client = new HttpClient(handler ?? new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>Sends <paramref name="events"/> requests.</summary>
    /// <param name="events">How many.</param>
    /// <param name="seed">The generator's seed.</param>
    /// <param name="concurrency">Requests in flight at once.</param>
    /// <param name="rate">Most requests per second, or null for as fast as the host answers.</param>
    /// <param name="progress">Told after each request.</param>
    /// <param name="cancellationToken">Stops sending; requests in flight finish or are cancelled.</param>
    /// <returns>The report.</returns>
    public async Task<GeneratorReport> RunAsync(long events, int seed, int concurrency, double? rate, Action<GeneratorProgress>? progress, CancellationToken cancellationToken)
    {
        var generator = new GameEventGenerator(seed);
        var latencies = new float[events];
        var failures = new Dictionary<string, long>(StringComparer.Ordinal);
        long issued = 0;
        long done = 0;
        long accepted = 0;
        long failed = 0;
        var clock = Stopwatch.StartNew();

        async Task Worker()
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                GameAction action;
                long index;
                lock (generator)
                {
                    if (issued == events)
                    {
                        return;
                    }

                    index = issued++;
                    action = generator.NextAction();
                }

                if (rate is { } perSecond)
                {
                    var due = TimeSpan.FromSeconds(index / perSecond) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                    }
                }

                var started = Stopwatch.GetTimestamp();
                var outcome = await SendAsync(action, cancellationToken).ConfigureAwait(false);
                latencies[index] = (float)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (outcome is null)
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    lock (failures)
                    {
                        failures[outcome] = failures.GetValueOrDefault(outcome) + 1;
                    }
                }

                var finished = Interlocked.Increment(ref done);
                progress?.Invoke(new GeneratorProgress(finished, Interlocked.Read(ref accepted), Interlocked.Read(ref failed), events));
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker, CancellationToken.None))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopped by the user: report what was sent
        }

        var sent = Interlocked.Read(ref done);
        var measured = latencies.AsSpan(0, (int)Math.Min(sent, latencies.Length)).ToArray();
        Array.Sort(measured);
        return new GeneratorReport(sent, accepted, failures, clock.Elapsed, measured);
    }

    /// <summary>Sends one action; null when accepted, else why not.</summary>
    private async Task<string?> SendAsync(GameAction action, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUrl, action.Path + action.Query));
        request.Headers.UserAgent.ParseAdd(action.UserAgent);
        request.Headers.Accept.ParseAdd("*/*");
        if (_playerHosts)
        {
            request.Headers.Host = action.Host;
        }
        try
        {
            using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException e)
        {
            return e.HttpRequestError.ToString();
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timeout";
        }
    }

    public void Dispose() => _client.Dispose();
}
