using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Me3.Host;
using Me3.Samples.Support;
using Me3.Streams;
using Me3.Streams.Query;
using Me3.Streams.Query.DuckDb;
using Me3.Streams.Query.Trino;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Me3.Samples.Commands;

/// <summary>
/// <c>bench trino --lake DIR</c>: the three business questions through Me3.Host's Trino endpoint (our client, HTTP on
/// loopback, the protocol's paging) against the same questions asked of the embedded engine directly, on the same lake;
/// both warmed first, then rounds alternating which goes first. Reports the protocol's overhead per question.
/// </summary>
internal static class TrinoBench
{
    private static readonly (string Name, string[] Sql)[] Questions =
    [
        ("most popular sword", [BusinessQuestions.MostPopularSwordSql]),
        ("top buyer", [BusinessQuestions.TopBuyerSql]),
        ("iOS vs Android", [BusinessQuestions.PurchasesByUserAgentSql, BusinessQuestions.GuildJoinsByUserAgentSql]),

        // What the protocol alone costs a query: two HTTP exchanges, the translation, JSON both ways.
        ("SELECT 1 (protocol floor)", ["SELECT 1"]),
    ];

    public static Command Create()
    {
        var lake = new Option<DirectoryInfo>("--lake") { Description = "The lake to query (bench query lands a 10M-event one).", Required = true };
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds (at least 3); the median is reported.", DefaultValueFactory = _ => 5 };
        var command = new Command("trino", "Time the business questions through Me3.Host's Trino endpoint against the embedded engine directly.") { lake, rounds };
        rounds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 3 or > 1000)
            {
                r.AddError("--rounds must be between 3 and 1000.");
            }
        });
        command.SetAction(async (r, ct) =>
        {
            try
            {
                return await RunAsync(r.GetValue(lake)!, r.GetValue(rounds), ct);
            }
            catch (Me3Exception e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    internal static async Task<int> RunAsync(DirectoryInfo lake, int rounds, CancellationToken ct)
    {
        if (!Directory.Exists(Path.Combine(lake.FullName, "purchases")))
        {
            throw new Me3Exception($"--lake '{lake.FullName}' has no purchases table; land events first (bench query, ingest or demo).");
        }

        var url = $"http://127.0.0.1:{FreePort()}";
        await using var host = Me3HostApplication.Build([], new Dictionary<string, string?>
        {
            ["Me3:Lake:Path"] = lake.FullName,
            ["Me3:Kafka:BootstrapServers"] = "",
            ["Me3:Ingest:Enabled"] = "false",
            ["Me3:Analytics:Enabled"] = "true",
            ["Me3:Analytics:MaxRows"] = "1000000",
            ["Me3:Analytics:QueryTimeoutSeconds"] = "600",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Akka"] = "Warning",
        }, builder =>
        {
            builder.WebHost.UseUrls(url);
            builder.Logging.ClearProviders();
        });
        await host.StartAsync(ct);

        // The same engine settings as the host's (Me3:Analytics:MaxConcurrentQueries defaults to 4).
        await using var direct = new DuckDbQueryEngine(new LakeCatalog(lake.FullName), DuckDbSettings.Default.WithMaxConcurrentQueries(4));
        await using var trino = new TrinoQueryEngine(new TrinoClientSettings(new Uri(url)).WithCatalog("hive", "default").WithSource("me3-bench"));
        var options = QueryOptions.Default.WithMaxRows(1_000_000).WithTimeout(TimeSpan.FromMinutes(10));
        var events = (long)(await direct.QueryAsync("SELECT (SELECT count(*) FROM purchases) + (SELECT count(*) FROM gjoins) + (SELECT count(*) FROM other_events)", options, ct)).Rows[0][0]!;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bench trino: {Environment.ProcessorCount} cores, lake {lake.FullName} ({events:N0} events), {rounds} rounds, {DateTime.UtcNow:yyyy-MM-dd}"));
        Console.WriteLine($"endpoint: Me3.Host in this process on {url}, our Trino client over loopback HTTP; direct: the embedded engine");

        foreach (var (_, sql) in Questions)
        {
            // Warm both sides (JIT, Parquet metadata cache) so that the rounds compare the protocol, not first use.
            var viaTrino = await RunAsync(trino, sql, options, ct);
            var viaDirect = await RunAsync(direct, sql, options, ct);
            if (!viaTrino.Rows.Select(Text).SequenceEqual(viaDirect.Rows.Select(Text)))
            {
                throw new Me3Exception($"The endpoint and the engine disagree on: {sql[0]}");
            }
        }

        var times = Questions.ToDictionary(q => q.Name, _ => (Direct: new List<(double Wall, double Cpu)>(), Trino: new List<(double Wall, double Cpu)>()));
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, sql) in Questions)
            {
                // Alternate who goes first, so that neither always runs on a cache the other just warmed.
                if (round % 2 == 0)
                {
                    times[name].Direct.Add((await RunAsync(direct, sql, options, ct)).Time);
                    times[name].Trino.Add((await RunAsync(trino, sql, options, ct)).Time);
                }
                else
                {
                    times[name].Trino.Add((await RunAsync(trino, sql, options, ct)).Time);
                    times[name].Direct.Add((await RunAsync(direct, sql, options, ct)).Time);
                }
            }

            Console.WriteLine($"round {round + 1}: " + string.Join(" | ", Questions.Select(q => string.Create(CultureInfo.InvariantCulture,
                $"{q.Name} direct {times[q.Name].Direct[^1].Wall * 1000:F0} ms, endpoint {times[q.Name].Trino[^1].Wall * 1000:F0} ms"))));
        }

        Console.WriteLine();
        Console.WriteLine("| question | direct wall (median) | endpoint wall (median) | difference | overhead | direct CPU | endpoint CPU (client + server) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (name, _) in Questions)
        {
            var (d, t) = times[name];
            var (dw, tw) = (Median(d, x => x.Wall), Median(t, x => x.Wall));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {dw * 1000:F1} ms | {tw * 1000:F1} ms | {(tw - dw) * 1000:+0.0;-0.0;0.0} ms | {(tw - dw) / dw * 100:+0;-0;0}% | {Median(d, x => x.Cpu) * 1000:F0} ms | {Median(t, x => x.Cpu) * 1000:F0} ms |"));
            if (name.StartsWith("SELECT 1", StringComparison.Ordinal))
            {
                continue; // the protocol's floor, for scale: not a question with a target
            }

            BenchSummary.Add(
                $"bench trino: {name}",
                string.Create(CultureInfo.InvariantCulture, $"endpoint {tw * 1000:F1} ms"),
                string.Create(CultureInfo.InvariantCulture, $"embedded engine {dw * 1000:F1} ms"),
                string.Create(CultureInfo.InvariantCulture, $"{(tw - dw) / dw * 100:+0;-0;0}%"),
                BenchSummary.Target("protocol overhead < 20%", (tw - dw) / dw < 0.2));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak RSS (host, engines and client in one process): {ProcessStats.PeakRssBytes() / (1 << 20) ?? 0} MiB"));
        await host.StopAsync(ct);
        return 0;
    }

    private static async Task<(List<object?[]> Rows, (double Wall, double Cpu) Time)> RunAsync(IQueryEngine engine, string[] statements, QueryOptions options, CancellationToken ct)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var rows = new List<object?[]>();
        foreach (var sql in statements)
        {
            rows.AddRange((await engine.QueryAsync(sql, options, ct)).Rows);
        }

        var wall = clock.Elapsed.TotalSeconds;
        var time = (wall, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);

        // Rows in a stable order (counts tie), compared value by value.
        rows.Sort((a, b) => string.CompareOrdinal(Text(a), Text(b)));
        return (rows, time);
    }

    private static string Text(object?[] row) => string.Join("\u0001", row.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

    private static double Median<T>(List<T> values, Func<T, double> of)
    {
        var sorted = values.Select(of).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
