using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Akka.Streams;
using Akka.Streams.Dsl;
using Me3.Host;
using Me3.Samples.Generation;
using Me3.Samples.Support;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Query;
using Me3.Streams.Query.DuckDb;
using Me3.Streams.Settings;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Me3.Samples.Commands;

/// <summary>
/// <c>bench query</c>: the three business questions on the embedded engine over a lake of seed-shaped events (10M by
/// default, landed once and reused), cold (a fresh engine) and warm (the same engine again), wall and CPU time; and how
/// long an event accepted by Me3.Host takes to be visible to a query with a given batch interval.
/// </summary>
internal static class QueryBench
{
    private static readonly (string Name, string[] Sql)[] Questions =
    [
        ("most popular sword", [BusinessQuestions.MostPopularSwordSql]),
        ("top buyer", [BusinessQuestions.TopBuyerSql]),
        ("iOS vs Android", [BusinessQuestions.PurchasesByUserAgentSql, BusinessQuestions.GuildJoinsByUserAgentSql]),
    ];

    public static async Task<int> RunAsync(long events, DirectoryInfo? lakeDir, int rounds, double batchSeconds, int visibilitySamples, CancellationToken ct)
    {
        var lake = lakeDir?.FullName ?? Path.Combine(Path.GetTempPath(), "me3-bench", $"query-lake-{events}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bench query: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {DateTime.UtcNow:yyyy-MM-dd}"));
        await EnsureLakeAsync(lake, events, ct);

        var cold = Questions.ToDictionary(q => q.Name, _ => new List<(double Wall, double Cpu)>());
        var warm = Questions.ToDictionary(q => q.Name, _ => new List<(double Wall, double Cpu)>());
        for (var round = 0; round < rounds; round++)
        {
            // Cold: a fresh engine (no Parquet metadata cached); warm: the same engine asked again. The questions
            // take turns going first, so that none always pays for the other's warm-up.
            foreach (var (name, sql) in Rotate(Questions, round))
            {
                await using var engine = new DuckDbQueryEngine(new LakeCatalog(lake));
                cold[name].Add(await TimeAsync(engine, sql, ct));
                warm[name].Add(await TimeAsync(engine, sql, ct));
            }

            Console.WriteLine($"round {round + 1}: " + string.Join(" | ", Questions.Select(q =>
                string.Create(CultureInfo.InvariantCulture, $"{q.Name} cold {cold[q.Name][^1].Wall * 1000:F0} ms, warm {warm[q.Name][^1].Wall * 1000:F0} ms"))));
        }

        Console.WriteLine();
        Console.WriteLine("| question | cold wall (median) | cold CPU | warm wall (median) | warm CPU |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var (name, _) in Questions)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Median(cold[name], x => x.Wall) * 1000:F0} ms | {Median(cold[name], x => x.Cpu) * 1000:F0} ms | {Median(warm[name], x => x.Wall) * 1000:F0} ms | {Median(warm[name], x => x.Cpu) * 1000:F0} ms |"));
            BenchSummary.Add(
                string.Create(CultureInfo.InvariantCulture, $"bench query, {events:N0} events: {name}"),
                string.Create(CultureInfo.InvariantCulture, $"cold {Median(cold[name], x => x.Wall) * 1000:F0} ms, warm {Median(warm[name], x => x.Wall) * 1000:F0} ms"),
                "",
                "",
                BenchSummary.Target("each under 1 s", cold[name].Concat(warm[name]).Max(x => x.Wall) < 1));
        }

        if (visibilitySamples > 0)
        {
            await TimeVisibilityAsync(batchSeconds, visibilitySamples, ct);
        }

        return 0;
    }

    private static IEnumerable<T> Rotate<T>(T[] items, int by) => items.Skip(by % items.Length).Concat(items.Take(by % items.Length));

    private static async Task<(double Wall, double Cpu)> TimeAsync(IQueryEngine engine, string[] statements, CancellationToken ct)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        foreach (var sql in statements)
        {
            await engine.QueryAsync(sql, QueryOptions.Default, ct);
        }

        var wall = clock.Elapsed.TotalSeconds;
        return (wall, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    private static double Median<T>(List<T> values, Func<T, double> of)
    {
        var sorted = values.Select(of).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Lands <paramref name="events"/> seed-shaped events, unless the lake holds them already.</summary>
    private static async Task EnsureLakeAsync(string lake, long events, CancellationToken ct)
    {
        var catalog = new LakeCatalog(lake);
        await using (var engine = new DuckDbQueryEngine(catalog))
        {
            var rows = (await new BusinessQuestions(engine).TableCountsAsync(catalog.Tables().Select(t => t.Name), ct)).Sum(t => t.Rows);
            if (rows == events)
            {
                Console.WriteLine($"lake: {lake} ({rows:N0} events, reused)");
                return;
            }

            if (rows > 0)
            {
                throw new Streams.Me3Exception($"The lake at {lake} holds {rows:N0} events, not {events:N0}; give another --lake or remove it.");
            }
        }

        Console.WriteLine($"landing {events:N0} seed-shaped events in {lake} …");
        var clock = Stopwatch.StartNew();
        using var system = Actors.Create("bench-query");
        var summary = await Source.From(Blocks(events))
            .Via(Me3Flow.Ingest(new LakeSettings(lake)))
            .RunWith(Me3Sink.Summary(), system.Materializer())
            .WaitAsync(ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"landed {summary.RowsLanded:N0} events in {clock.Elapsed.TotalSeconds:F1} s ({string.Join(", ", summary.Tables.Select(t => $"{t.Key} {t.Value.RowsLanded:N0} rows in {t.Value.FilesWritten} files"))})"));
    }

    private static IEnumerable<RecordBlock> Blocks(long events)
    {
        const int BlockSize = 4096;
        var generator = new GameEventGenerator(seed: 42);
        using var buffer = new MemoryStream(512);
        var block = new List<SourceRecord>(BlockSize);
        var time = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        for (long i = 0; i < events; i++)
        {
            buffer.SetLength(0);
            using (var json = new Utf8JsonWriter(buffer))
            {
                generator.WriteEvent(json);
            }

            block.Add(new SourceRecord("bench", 0, i, time, buffer.ToArray()));
            if (block.Count == BlockSize)
            {
                yield return RecordBlock.Of(block);
                block.Clear();
            }
        }

        if (block.Count > 0)
        {
            yield return RecordBlock.Of(block);
        }
    }

    /// <summary>
    /// Starts Me3.Host on its embedded defaults with the given batch interval, sends one purchase at a time through the
    /// game API and times from its 200 to the moment a query sees it.
    /// </summary>
    private static async Task TimeVisibilityAsync(double batchSeconds, int samples, CancellationToken ct)
    {
        var lake = Path.Combine(Path.GetTempPath(), "me3-bench", $"visibility-{Environment.ProcessId}");
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        await using var app = Me3HostApplication.Build([], new Dictionary<string, string?>
        {
            ["Me3:Lake:Path"] = lake,
            ["Me3:Kafka:BootstrapServers"] = "",
            ["Me3:Ingest:BatchSeconds"] = batchSeconds.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Akka"] = "Warning",
        }, builder =>
        {
            builder.WebHost.UseUrls(url);
            builder.Logging.ClearProviders();
        });
        await app.StartAsync(ct);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            while ((await http.GetAsync("/readyz", ct)).StatusCode != HttpStatusCode.OK)
            {
                await Task.Delay(100, ct);
            }

            await using var engine = new DuckDbQueryEngine(new LakeCatalog(lake));
            var latencies = new List<double>();
            for (var i = 0; i < samples; i++)
            {
                var marker = $"visibility_{i}_{Guid.NewGuid():N}";
                (await http.GetAsync($"/purchase_a_sword?user_name={marker}&sword_name=needle", ct)).EnsureSuccessStatusCode();
                var clock = Stopwatch.StartNew();
                while ((long)(await engine.QueryAsync($"SELECT count(*) FROM purchases WHERE user_name = '{marker}'", cancellationToken: ct)).Rows[0][0]! == 0)
                {
                    await Task.Delay(20, ct);
                }

                latencies.Add(clock.Elapsed.TotalSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"event {i + 1}: visible {latencies[^1]:F2} s after its 200"));
            }

            var median = latencies.Order().ElementAt(latencies.Count / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"accepted → visible: median {median:F2} s, max {latencies.Max():F2} s with a {batchSeconds:0.###} s batch interval (target: within the interval + 1 s: {(latencies.Max() <= batchSeconds + 1 ? "met" : "NOT met")})"));
            BenchSummary.Add(
                string.Create(CultureInfo.InvariantCulture, $"accepted → visible, {batchSeconds:0.###} s batch interval"),
                string.Create(CultureInfo.InvariantCulture, $"median {median:F2} s, max {latencies.Max():F2} s"),
                "",
                "",
                BenchSummary.Target("within the interval + 1 s", latencies.Max() <= batchSeconds + 1));
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            try
            {
                Directory.Delete(lake, recursive: true);
            }
            catch (IOException)
            {
                // temp folder
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
