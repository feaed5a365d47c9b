using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Akka.Streams;
using Me3.Samples.Support;
using Me3.Streams;
using Me3.Streams.Dsl;
using Me3.Streams.Lake;
using Me3.Streams.Settings;

namespace Me3.Samples.Commands;

/// <summary><c>ingest --from FILE.jsonl --lake DIR</c>: runs the ingestion graph over a JSON-lines file.</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var from = new Option<FileInfo>("--from") { Description = "A JSON-lines file of events to land.", Required = true };
        var lake = new Option<DirectoryInfo>("--lake") { Description = "The lake directory (created if missing).", Required = true };
        var sourceName = new Option<string?>("--source-name") { Description = "The name the file's offsets are kept under (default: the file name)." };
        var defaults = new LakeSettings(".");
        var batchRecords = new Option<int>("--batch-records") { Description = "Records per table batch.", DefaultValueFactory = _ => defaults.MaxBatchRecords };
        var batchMb = new Option<int>("--batch-mb") { Description = "Event JSON MiB per table batch.", DefaultValueFactory = _ => (int)(defaults.MaxBatchBytes >> 20) };
        var batchSeconds = new Option<double>("--batch-seconds") { Description = "Longest wait of a buffered record, in seconds.", DefaultValueFactory = _ => defaults.MaxBatchInterval.TotalSeconds };
        var command = new Command("ingest", "Land events from a JSON-lines file in the lake, exactly once.")
        {
            from, lake, sourceName, batchRecords, batchMb, batchSeconds,
        };
        command.SetAction((result, ct) =>
        {
            var settings = new LakeSettings(result.GetValue(lake)!.FullName)
                .WithBatchBounds(result.GetValue(batchRecords), (long)result.GetValue(batchMb) << 20, TimeSpan.FromSeconds(result.GetValue(batchSeconds)));
            return RunFileAsync(result.GetValue(from)!, settings, result.GetValue(sourceName), ct);
        });
        return command;
    }

    private static async Task<int> RunFileAsync(FileInfo file, LakeSettings settings, string? sourceName, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            if (!file.Exists)
            {
                throw new Me3Exception($"Input file '{file.FullName}' does not exist.", file: file.FullName);
            }

            settings = settings.WithMaxBufferedBytes(Math.Max(settings.MaxBufferedBytes, settings.MaxBatchBytes));
            settings.Validate();
            LakeCheck.RequireWritable(settings.Path);
            using var system = Actors.Create("me3-ingest");
            var summary = await Me3Source.JsonLines(file.FullName, sourceName)
                .Via(Me3Flow.Ingest(settings))
                .RunWith(Me3Sink.Summary(), system.Materializer())
                .WaitAsync(ct);
            Print(summary, settings.Path, clock.Elapsed);
            return 0;
        }
        catch (Me3Exception e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("interrupted: records not landed are not committed and will be landed by the next run.");
            return 130;
        }
    }

    internal static void Print(IngestSummary summary, string lake, TimeSpan elapsed)
    {
        Console.WriteLine($"lake: {lake}");
        Console.WriteLine($"{"table",-16} {"rows landed",12} {"files",6} {"MB",9} {"already in lake",16}");
        foreach (var (name, t) in summary.Tables)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-16} {t.RowsLanded,12:N0} {t.FilesWritten,6} {t.BytesWritten / 1e6,9:F1} {t.AlreadyInLake,16:N0}"));
        }

        var total = summary.RowsLanded + summary.AlreadyInLake;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"total",-16} {summary.RowsLanded,12:N0} {"",6} {"",9} {summary.AlreadyInLake,16:N0}"));
        var peak = ProcessStats.PeakRssBytes();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stats: records={total} elapsed_ms={elapsed.TotalMilliseconds:F0} records_per_s={total / Math.Max(elapsed.TotalSeconds, 1e-9):F0} peak_rss_mb={(peak ?? 0) / 1048576.0:F0} gc_pause_ms={GC.GetTotalPauseDuration().TotalMilliseconds:F0} gc_counts={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}"));
    }
}
