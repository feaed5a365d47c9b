using System.CommandLine;
using System.Globalization;
using Me3.Samples.Generation;
using Spectre.Console;

namespace Me3.Samples.Commands;

/// <summary>
/// <c>generate --out FILE</c>: writes generated game events as JSON lines; <c>generate --url URL</c>: sends them to a
/// running Me3.Host's game API over HTTP, as players would, and reports acceptance, throughput and latency.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var events = new Option<long>("--events", "--count") { Description = "How many events.", DefaultValueFactory = _ => 10_000 };
        var output = new Option<FileInfo?>("--out") { Description = "Write the events to this JSON-lines file." };
        var url = new Option<Uri?>("--url")
        {
            Description = "Send the events to the game API at this address, e.g. http://127.0.0.1:5080.",

            // System.CommandLine's own conversion to Uri fails for every address (the command crashed on --url).
            CustomParser = r =>
            {
                if (Uri.TryCreate(r.Tokens[^1].Value, UriKind.Absolute, out var address) && address.Scheme is "http" or "https")
                {
                    return address;
                }

                r.AddError("--url must be an absolute http:// or https:// address, e.g. http://127.0.0.1:5080.");
                return null;
            },
        };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed gives the same events.", DefaultValueFactory = _ => 42 };
        var rate = new Option<double?>("--rate") { Description = "With --url: most requests per second (default: as fast as the host answers)." };
        var concurrency = new Option<int>("--concurrency") { Description = "With --url: requests in flight at once.", DefaultValueFactory = _ => 16 };
        var playerHosts = new Option<bool>("--player-hosts") { Description = "With --url: send each player's host name as the Host header (only where nothing routes by Host)." };
        var command = new Command("generate", "Generate game events: into a JSON-lines file (--out), or through a running game API over HTTP (--url).")
        {
            events, output, url, seed, rate, concurrency, playerHosts,
        };
        events.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 1)
            {
                r.AddError("--events must be at least 1.");
            }
        });
        rate.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is <= 0)
            {
                r.AddError("--rate must be positive.");
            }
        });
        concurrency.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 4096)
            {
                r.AddError("--concurrency must be between 1 and 4096.");
            }
        });
        command.Validators.Add(r =>
        {
            if ((r.GetResult(output) is null) == (r.GetResult(url) is null))
            {
                r.AddError("Give either --out FILE or --url URL.");
            }
            else if (r.GetValue(output) is { } file && Directory.Exists(file.FullName))
            {
                r.AddError($"--out '{file.FullName}' is a directory; give a file name.");
            }
        });
        command.SetAction((r, ct) => r.GetValue(url) is { } target
            ? SendAsync(target, r.GetValue(events), r.GetValue(seed), r.GetValue(concurrency), r.GetValue(rate), r.GetValue(playerHosts), ct)
            : Task.FromResult(WriteFile(r.GetValue(output)!, r.GetValue(events), r.GetValue(seed))));
        return command;
    }

    internal static void Generate(string path, long count, int seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = new BufferedStream(File.Create(path), 1 << 20);
        new GameEventGenerator(seed).WriteJsonLines(stream, count);
    }

    private static int WriteFile(FileInfo file, long count, int seed)
    {
        try
        {
            Generate(file.FullName, count, seed);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot write '{file.FullName}': {e.Message}");
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {count:N0} events to {file.FullName} ({new FileInfo(file.FullName).Length / 1e6:F1} MB)"));
        return 0;
    }

    private static async Task<int> SendAsync(Uri url, long events, int seed, int concurrency, double? rate, bool playerHosts, CancellationToken ct)
    {
        using var generator = new HttpEventGenerator(url, concurrency, playerHosts);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sending {events:N0} events to {url} ({concurrency} at a time{(rate is { } r ? $", at most {r:N0}/s" : "")}, seed {seed})"));
        var report = await RunWithProgressAsync(generator, events, seed, concurrency, rate, ct);
        Print(report);
        if (report.Accepted == 0)
        {
            await Console.Error.WriteLineAsync($"error: no event was accepted by {url}; is Me3.Host running there with the game API on?");
            return 1;
        }

        return report.Failed == 0 ? 0 : 1;
    }

    /// <summary>Runs the generator with a live progress bar, or a plain line every few seconds when not on a terminal.</summary>
    internal static async Task<GeneratorReport> RunWithProgressAsync(HttpEventGenerator generator, long events, int seed, int concurrency, double? rate, CancellationToken ct)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            var lastLine = Environment.TickCount64;
            return await generator.RunAsync(events, seed, concurrency, rate, p =>
            {
                var now = Environment.TickCount64;
                var seen = Interlocked.Read(ref lastLine);
                if (now - seen >= 2000 && Interlocked.CompareExchange(ref lastLine, now, seen) == seen)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  sent {p.Done:N0} of {p.Total:N0} ({p.Accepted:N0} accepted, {p.Failed:N0} failed)"));
                }
            }, ct);
        }

        GeneratorReport? report = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("sending events", maxValue: events);
                report = await generator.RunAsync(events, seed, concurrency, rate, p => task.Value = p.Done, ct);
                task.Value = events;
            });
        return report!;
    }

    internal static void Print(GeneratorReport report)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sent {report.Sent:N0} in {report.Elapsed.TotalSeconds:F2} s ({report.RequestsPerSecond:N0} requests/s): {report.Accepted:N0} accepted, {report.Failed:N0} failed"));
        foreach (var (reason, count) in report.Failures.OrderByDescending(f => f.Value))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  failed: {count:N0} × {reason}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency: p50 {report.Percentile(50):F1} ms, p90 {report.Percentile(90):F1} ms, p99 {report.Percentile(99):F1} ms, max {report.Percentile(100):F1} ms"));
    }
}
