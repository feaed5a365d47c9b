using System.CommandLine;
using Me3.Samples.Support;

namespace Me3.Samples.Commands;

/// <summary><c>bench</c>: the benchmark commands; each benchmark lives in its own file.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var events = new Option<long>("--events") { Description = "Events to generate when no --file is given.", DefaultValueFactory = _ => 1_000_000 }.InRange(1, 1_000_000_000);
        var file = new Option<FileInfo?>("--file") { Description = "An existing JSON-lines file (default: one generated in the temp directory)." }.ExistingFile();
        var rounds = new Option<int>("--rounds") { Description = "How many times to run each; the best and median are reported.", DefaultValueFactory = _ => 3 }.InRange(1, 100);
        var ingest = new Command("ingest", "Compare ingest --from with DuckDB's COPY to Snappy Parquet on the same file.") { events, file, rounds };
        ingest.SetAction(r => IngestBench.Run(r.GetValue(file), r.GetValue(events), r.GetValue(rounds)));
        var messages = new Option<int>("--messages") { Description = "Messages to produce and consume.", DefaultValueFactory = _ => 200_000 }.InRange(1, 100_000_000);
        var partitions = new Option<int>("--partitions") { Description = "Topic partitions (the embedded broker keeps ~5 MB each).", DefaultValueFactory = _ => 24 }.InRange(1, 1000);
        var kafka = new Command("kafka", "Compare consume-and-land from the embedded broker with a plain Confluent consumer loop.") { messages, partitions, rounds };
        kafka.SetAction(r => KafkaBench.Run(r.GetValue(messages), r.GetValue(partitions), r.GetValue(rounds)));
        var seconds = new Option<int>("--seconds") { Description = "How long each wrk run lasts.", DefaultValueFactory = _ => 15 };
        var connections = new Option<int>("--connections") { Description = "wrk's open connections.", DefaultValueFactory = _ => 64 };
        var host = new Option<FileInfo?>("--host") { Description = "Me3.Host.dll to run (default: the Release build beside this one)." };
        var api = new Command("api", "Compare the game API of Me3.Host with the reference design (Flask + kafka-python) under wrk.") { rounds, seconds, connections, host };
        api.SetAction(r => ApiBench.Run(r.GetValue(rounds), r.GetValue(seconds), r.GetValue(connections), r.GetValue(host)));
        var queryEvents = new Option<long>("--events") { Description = "Events in the lake (landed once, then reused).", DefaultValueFactory = _ => 10_000_000 };
        var queryLake = new Option<DirectoryInfo?>("--lake") { Description = "The lake to query (default: one in the temp directory for that many events)." };
        var batchSeconds = new Option<double>("--batch-seconds") { Description = "The host's batch interval for the visibility timing (its default is 30).", DefaultValueFactory = _ => 30 };
        var samples = new Option<int>("--visibility-samples") { Description = "Events timed from accepted to visible (0 skips it).", DefaultValueFactory = _ => 3 };
        var query = new Command("query", "Time the business questions on the embedded engine (cold and warm), and accepted-to-visible latency.")
        {
            queryEvents, queryLake, rounds, batchSeconds, samples,
        };
        queryEvents.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() is < 1 or > 1_000_000_000)
            {
                r.AddError("--events must be between 1 and 1000000000.");
            }
        });
        batchSeconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0.1 or > 600)
            {
                r.AddError("--batch-seconds must be between 0.1 and 600.");
            }
        });
        samples.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 100)
            {
                r.AddError("--visibility-samples must be between 0 and 100.");
            }
        });
        query.SetAction((r, ct) => QueryBench.RunAsync(r.GetValue(queryEvents), r.GetValue(queryLake), Math.Max(1, r.GetValue(rounds)), r.GetValue(batchSeconds), r.GetValue(samples), ct));
        var suiteRounds = new Option<int>("--rounds") { Description = "Rounds of each benchmark (at least 3); medians are reported.", DefaultValueFactory = _ => 3 };
        suiteRounds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 3 or > 100)
            {
                r.AddError("--rounds must be between 3 and 100.");
            }
        });
        var bench = new Command("bench", "Benchmarks. With no sub-command: every benchmark, then the summary rows of docs/performance.md.")
        {
            ingest, kafka, api, query, TrinoBench.Create(), suiteRounds,
        };
        bench.SetAction((r, ct) => RunAllAsync(r.GetValue(suiteRounds), ct));
        return bench;
    }

    /// <summary>Every benchmark with its defaults, one after the other, then one summary table.</summary>
    private static async Task<int> RunAllAsync(int rounds, CancellationToken ct)
    {
        const long QueryEvents = 10_000_000;
        var failed = new List<string>();
        void Section(string title) => Console.WriteLine($"{Environment.NewLine}=== {title} ===");

        Section("bench ingest");
        if (IngestBench.Run(null, 1_000_000, rounds) != 0)
        {
            failed.Add("ingest");
        }

        Section("bench kafka");
        if (KafkaBench.Run(200_000, 24, rounds) != 0)
        {
            failed.Add("kafka");
        }

        Section("bench api");
        if (ApiBench.Missing() is { } missing)
        {
            Console.WriteLine($"skipped: needs {missing} (on Debian: apt-get install wrk python3-flask python3-kafka)");
            BenchSummary.Add("bench api", "skipped", $"needs {missing}", "", "not measured");
        }
        else if (ApiBench.Run(rounds, 15, 64, null) != 0)
        {
            failed.Add("api");
        }

        Section("bench query");
        if (await QueryBench.RunAsync(QueryEvents, null, rounds, 30, 3, ct) != 0)
        {
            failed.Add("query");
        }

        Section("bench trino");
        var lake = new DirectoryInfo(Path.Combine(Path.GetTempPath(), "me3-bench", $"query-lake-{QueryEvents}"));
        if (await TrinoBench.RunAsync(lake, Math.Max(rounds, 15), ct) != 0)
        {
            failed.Add("trino");
        }

        BenchSummary.Print(Console.Out);
        if (failed.Count > 0)
        {
            await Console.Error.WriteLineAsync($"error: these benchmarks failed: {string.Join(", ", failed)}");
            return 1;
        }

        return 0;
    }
}
