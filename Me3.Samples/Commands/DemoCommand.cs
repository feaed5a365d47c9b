using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Me3.Host;
using Me3.Samples.Generation;
using Me3.Samples.Reporting;
using Me3.Samples.Support;
using Me3.Streams;
using Me3.Streams.Query;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Me3.Samples.Commands;

/// <summary>
/// <c>demo</c>: the whole pipeline in one process. Starts Me3.Host on its embedded defaults (embedded Kafka, the lake
/// in <c>./lake</c>), sends generated player actions through the game API over HTTP, waits until every accepted event
/// is queryable, and prints the business answers, the table sizes, the HTML report's path, the live dashboard's address
/// and where to look next.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var events = new Option<long>("--events") { Description = "Player actions to send through the game API.", DefaultValueFactory = _ => 1000 };
        var lake = new Option<DirectoryInfo>("--lake") { Description = "The lake directory (created if missing; a second run adds to it).", DefaultValueFactory = _ => new DirectoryInfo("lake") };
        var port = new Option<int>("--port") { Description = "The port Me3.Host listens on (127.0.0.1).", DefaultValueFactory = _ => 5080 };
        var keepRunning = new Option<bool>("--keep-running") { Description = "Stay up after the answers, for the dashboard and SQL clients; Ctrl+C stops." };
        var seed = new Option<int>("--seed") { Description = "Random seed of the player actions.", DefaultValueFactory = _ => 42 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once.", DefaultValueFactory = _ => 16 };
        var batchSeconds = new Option<double>("--batch-seconds") { Description = "Longest wait of an event before its batch lands.", DefaultValueFactory = _ => 1 };
        var command = new Command("demo", "Run the whole pipeline in one process: game API → embedded Kafka → ingestion → Parquet lake → answers.")
        {
            events, lake, port, keepRunning, seed, concurrency, batchSeconds,
        };
        events.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() is < 1 or > 10_000_000)
            {
                r.AddError("--events must be between 1 and 10000000.");
            }
        });
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                r.AddError("--port must be between 1 and 65535.");
            }
        });
        concurrency.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1024)
            {
                r.AddError("--concurrency must be between 1 and 1024.");
            }
        });
        batchSeconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0.1 or > 600)
            {
                r.AddError("--batch-seconds must be between 0.1 and 600.");
            }
        });
        lake.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<DirectoryInfo>() is { } dir && File.Exists(dir.FullName))
            {
                r.AddError($"--lake '{dir.FullName}' is a file, not a directory.");
            }
        });
        command.SetAction((r, ct) => new DemoRun(
            r.GetValue(lake)!.FullName, r.GetValue(port), r.GetValue(events), r.GetValue(seed), r.GetValue(concurrency), r.GetValue(batchSeconds), r.GetValue(keepRunning)).RunAsync(ct));
        return command;
    }

    /// <summary>A path as the user would type it: relative to the working directory when it lies under it.</summary>
    internal static string Shown(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? path
            : "." + Path.DirectorySeparatorChar + relative;
    }

    private sealed class DemoRun(string lake, int port, long events, int seed, int concurrency, double batchSeconds, bool keepRunning)
    {
        private readonly string _url = $"http://127.0.0.1:{port}";

        public Task<int> RunAsync(CancellationToken ct) => CommandRun.GuardAsync(async () =>
        {
            LakeCheck.RequireWritable(lake);
            RequireFreePort(port);
            var catalog = new LakeCatalog(lake);
            var before = await CountAsync(catalog, ct);
            Console.WriteLine($"Me3 demo: {events:N0} player actions → game API → embedded Kafka → ingestion → Parquet lake at {Shown(lake)} → answers");
            await using var app = Me3HostApplication.Build([], HostSettings(), builder =>
            {
                builder.WebHost.UseUrls(_url);
                builder.Logging.ClearProviders();
                builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
                builder.Logging.SetMinimumLevel(LogLevel.Warning);

                // The demo polls readiness until the ingestion joined its group: not-yet-ready is expected here.
                builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);

                // The host warns loudly when it starts its in-memory broker; the demo asked for it and says so below.
                builder.Logging.AddFilter("Me3.Host.Publishing.KafkaConnection", LogLevel.Error);
            });
            await app.StartAsync(ct);
            Console.WriteLine($"Me3.Host is up at {_url} (game API, embedded in-memory Kafka, ingestion, analytics).");
            using var http = new HttpClient { BaseAddress = new Uri(_url), Timeout = TimeSpan.FromSeconds(10) };
            await WaitUntilReadyAsync(http, ct);

            var engine = app.Services.GetRequiredService<IQueryEngine>();
            var report = await SendAndLandAsync(engine, catalog, before, ct);
            if (report.Accepted == 0)
            {
                throw new Me3Exception($"The game API accepted none of the {report.Sent:N0} requests ({string.Join(", ", report.Failures.Select(f => $"{f.Value} × {f.Key}"))}).");
            }

            var answers = await new BusinessQuestions(engine).AnswerAllAsync(catalog, ct);
            Console.WriteLine();
            AnswersConsole.Write(answers);
            PrintThisRun(report, before, answers);
            var html = ReportCommand.DefaultHtmlPath(lake);
            ReportCommand.WriteHtml(html, HtmlReport.Render(answers, catalog.LakePath, DashboardUrl));
            Console.WriteLine($"report:    {Shown(html)}");
            Console.WriteLine($"dashboard: {DashboardUrl}");
            Console.WriteLine($"answers:   {AnswersUrl} (JSON)");
            if (keepRunning)
            {
                PrintHowToLook();
                // The host's console lifetime takes SIGINT/SIGTERM for itself and stops the application: wait for
                // that as well as for the command's own cancellation, or Ctrl+C would stop nothing.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
                await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                Console.WriteLine("stopping: landing what is in flight …");
            }

            await app.StopAsync(CancellationToken.None);
            return 0;
        });

        private string AnswersUrl => $"{_url}/api/answers";

        private string DashboardUrl => $"{_url}/dashboard";

        private Dictionary<string, string?> HostSettings() => new()
        {
            ["Me3:Lake:Path"] = lake,
            ["Me3:Kafka:BootstrapServers"] = "",
            ["Me3:Ingest:BatchSeconds"] = batchSeconds.ToString(CultureInfo.InvariantCulture),
            ["Me3:Analytics:Enabled"] = "true",
            ["Logging:LogLevel:Akka"] = "Warning",
        };

        private async Task<GeneratorReport> SendAndLandAsync(IQueryEngine engine, LakeCatalog catalog, long before, CancellationToken ct)
        {
            using var generator = new HttpEventGenerator(new Uri(_url), concurrency, playerHosts: true);
            var landingDeadline = TimeSpan.FromSeconds(batchSeconds * 3 + 30);
            if (!AnsiConsole.Profile.Capabilities.Interactive)
            {
                var plain = await GenerateCommand.RunWithProgressAsync(generator, events, seed, concurrency, rate: null, ct);
                GenerateCommand.Print(plain);
                Console.WriteLine($"waiting until all {plain.Accepted:N0} accepted events are queryable …");
                var landed = await WaitForLakeAsync(engine, catalog, before + plain.Accepted, landingDeadline, _ => { }, ct);
                Console.WriteLine($"landed {landed - before:N0} events");
                return plain;
            }

            GeneratorReport? report = null;
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var sending = context.AddTask("sending through the game API", maxValue: events);
                    var landing = context.AddTask("landing in the lake", maxValue: events);
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var watching = WatchAsync(engine, catalog, before, landing, stop.Token);
                    report = await generator.RunAsync(events, seed, concurrency, null, p => sending.Value = p.Done, ct);
                    sending.Value = events;
                    landing.MaxValue = Math.Max(1, report.Accepted);
                    await stop.CancelAsync();
                    await watching;
                    var landed = await WaitForLakeAsync(engine, catalog, before + report.Accepted, landingDeadline, n => landing.Value = n - before, ct);
                    landing.Value = landed - before;
                });
            GenerateCommand.Print(report!);
            return report!;
        }

        private static async Task WatchAsync(IQueryEngine engine, LakeCatalog catalog, long before, ProgressTask landing, CancellationToken ct)
        {
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    landing.Value = await CountAsync(engine, catalog, ct) - before;
                    await Task.Delay(500, ct);
                }
            }
            catch (OperationCanceledException)
            {
                // sending is over; the final wait takes it from here
            }
        }

        /// <summary>Waits until the lake holds <paramref name="expected"/> rows; returns how many it holds.</summary>
        private static async Task<long> WaitForLakeAsync(IQueryEngine engine, LakeCatalog catalog, long expected, TimeSpan deadline, Action<long> seen, CancellationToken ct)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                var landed = await CountAsync(engine, catalog, ct);
                seen(landed);
                if (landed >= expected)
                {
                    return landed;
                }

                if (clock.Elapsed > deadline)
                {
                    throw new Me3Exception($"Only {landed:N0} of the {expected:N0} events expected in the lake are queryable after {deadline.TotalSeconds:N0} s.");
                }

                await Task.Delay(250, ct);
            }
        }

        private static async Task<long> CountAsync(LakeCatalog catalog, CancellationToken ct)
        {
            await using var engine = new Streams.Query.DuckDb.DuckDbQueryEngine(catalog);
            return await CountAsync(engine, catalog, ct);
        }

        private static async Task<long> CountAsync(IQueryEngine engine, LakeCatalog catalog, CancellationToken ct) =>
            (await new BusinessQuestions(engine).TableCountsAsync(catalog.Tables().Select(t => t.Name), ct)).Sum(t => t.Rows);

        private static async Task WaitUntilReadyAsync(HttpClient http, CancellationToken ct)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync("/readyz", ct);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new Me3Exception("Me3.Host did not become ready within 60 s (its ingestion did not join the embedded broker's group).");
                }

                await Task.Delay(100, ct);
            }
        }

        private static void PrintThisRun(GeneratorReport report, long before, LakeAnswers answers)
        {
            var total = answers.Tables.Sum(t => t.Rows);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"this run:  {report.Accepted:N0} events accepted by the game API, {total - before:N0} landed (the lake held {before:N0} before, {total:N0} now)"));
        }

        private void PrintHowToLook()
        {
            Console.WriteLine();
            Console.WriteLine($"Me3.Host keeps running at {_url}; Ctrl+C stops it (it lands what is in flight first).");
            Console.WriteLine($"  dashboard: {DashboardUrl} (open it in a browser; it follows the events as they land)");
            Console.WriteLine($"  play:      curl \"{_url}/purchase_a_sword?user_name=you&sword_name=needle\"");
            Console.WriteLine($"  answers:   curl {AnswersUrl}");
            Console.WriteLine($"  pipeline:  curl {_url}/api/ingestion");
            Console.WriteLine($"  SQL:       dotnet run --project Me3.Samples -c Release -- query --trino {_url} \"SELECT sword_name, count(*) FROM purchases GROUP BY 1 ORDER BY 2 DESC\"");
            Console.WriteLine($"  Trino CLI: trino --server {_url} --catalog hive --schema default");
            Console.WriteLine($"  Python:    sqlalchemy.create_engine(\"presto://127.0.0.1:{port}/hive\") (pyhive), or trino.dbapi.connect(host=\"127.0.0.1\", port={port}, catalog=\"hive\")");
            Console.WriteLine($"  JDBC:      jdbc:trino://127.0.0.1:{port}/hive/default (DBeaver, Superset); see docs/trino.md");
        }

        private static void RequireFreePort(int port)
        {
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
            }
            catch (SocketException)
            {
                throw new Me3Exception($"Port {port} on 127.0.0.1 is in use; choose another with --port.");
            }
        }
    }
}
