using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
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
        var from = new Option<FileInfo?>("--from") { Description = "A JSON-lines file of events to land (or use --bootstrap)." }.ExistingFile();
        var bootstrap = new Option<string?>("--bootstrap") { Description = "Kafka bootstrap servers HOST:PORT[,...]: consume until SIGINT/SIGTERM, then drain and commit." };
        var topic = new Option<string>("--topic") { Description = "The Kafka topic.", DefaultValueFactory = _ => "events" };
        var group = new Option<string>("--group") { Description = "The Kafka consumer group.", DefaultValueFactory = _ => "me3-ingest" };
        var lake = new Option<DirectoryInfo>("--lake") { Description = "The lake directory (created if missing).", Required = true }.NotAFile();
        var sourceName = new Option<string?>("--source-name") { Description = "The name the file's offsets are kept under (default: the file name)." };
        var defaults = new LakeSettings(".");
        var batchRecords = new Option<int>("--batch-records") { Description = "Records per table batch.", DefaultValueFactory = _ => defaults.MaxBatchRecords }.Positive();
        var batchMb = new Option<int>("--batch-mb") { Description = "Event JSON MiB per table batch.", DefaultValueFactory = _ => (int)(defaults.MaxBatchBytes >> 20) }.InRange(1, 4096);
        var batchSeconds = new Option<double>("--batch-seconds") { Description = "Longest wait of a buffered record, in seconds.", DefaultValueFactory = _ => defaults.MaxBatchInterval.TotalSeconds }.InRange(0.001, 86_400);
        var consumerDefaults = new KafkaConsumerSettings("-", "-", "-");
        var startTimeout = new Option<double>("--start-timeout") { Description = "With --bootstrap: give up (exit 1) if the cluster is not reached within this many seconds.", DefaultValueFactory = _ => 30 }.InRange(0.1, 86_400);
        var stopTimeout = new Option<double>("--stop-timeout") { Description = "With --bootstrap: the longest a stop may take to land and commit what is in flight, in seconds.", DefaultValueFactory = _ => consumerDefaults.StopTimeout.TotalSeconds }.InRange(0.1, 3600);
        var command = new Command("ingest", "Land events from a JSON-lines file or a Kafka topic in the lake, exactly once.")
        {
            from, bootstrap, topic, group, lake, sourceName, batchRecords, batchMb, batchSeconds, startTimeout, stopTimeout,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(from) is null) == (result.GetValue(bootstrap) is null))
            {
                result.AddError("Give either --from FILE or --bootstrap HOST:PORT.");
            }
        });
        command.SetAction((result, ct) =>
        {
            var settings = new LakeSettings(result.GetValue(lake)!.FullName)
                .WithBatchBounds(result.GetValue(batchRecords), (long)result.GetValue(batchMb) << 20, TimeSpan.FromSeconds(result.GetValue(batchSeconds)));
            return result.GetValue(bootstrap) is { } servers
                ? RunKafkaAsync(
                    new KafkaConsumerSettings(servers, result.GetValue(group)!, result.GetValue(topic)!).WithStopTimeout(TimeSpan.FromSeconds(result.GetValue(stopTimeout))),
                    settings, TimeSpan.FromSeconds(result.GetValue(startTimeout)), ct)
                : RunFileAsync(result.GetValue(from)!, settings, result.GetValue(sourceName), ct);
        });
        return command;
    }

    private static async Task<int> RunFileAsync(FileInfo file, LakeSettings settings, string? sourceName, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        try
        {
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

    private static async Task<int> RunKafkaAsync(KafkaConsumerSettings consumer, LakeSettings settings, TimeSpan startTimeout, CancellationToken interrupted)
    {
        var clock = Stopwatch.StartNew();

        // SIGTERM (systemd, docker stop) and SIGINT both mean: drain, commit, exit 0.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupted);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        var ct = stop.Token;
        ActorSystem? system = null;
        try
        {
            settings.Validate();
            LakeCheck.RequireWritable(settings.Path);
            system = Actors.Create("me3-ingest");
            var ingestion = Me3Graph.KafkaToLake(consumer, settings).Run(system.Materializer());
            Console.WriteLine($"consuming {string.Join(",", consumer.Topics)} as group {consumer.GroupId} from {consumer.BootstrapServers} into {settings.Path}; SIGINT or SIGTERM drains, commits and stops");
            var interruptedTask = Task.Delay(Timeout.Infinite, ct);
            await Task.WhenAny(ingestion.Control.Joined, ingestion.Completion, interruptedTask, Task.Delay(startTimeout, CancellationToken.None)).ConfigureAwait(false);
            if (!ingestion.Control.Joined.IsCompleted && !ingestion.Completion.IsCompleted && !ct.IsCancellationRequested)
            {
                await ingestion.DrainAndShutdownAsync(CancellationToken.None).ConfigureAwait(false);
                var why = ingestion.Control.LastWarning is { } last ? $" (last: {last})" : "";
                await Console.Error.WriteLineAsync($"error: could not reach the Kafka cluster at {consumer.BootstrapServers} within {startTimeout.TotalSeconds:F0} s (--start-timeout){why}.");
                return 1;
            }

            await Task.WhenAny(ingestion.Completion, interruptedTask).ConfigureAwait(false);
            if (!ingestion.Completion.IsCompleted)
            {
                Console.WriteLine($"stopping: landing and committing what is in flight (at most {consumer.StopTimeout.TotalSeconds:F0} s) …");
                await ingestion.DrainAndShutdownAsync(CancellationToken.None).ConfigureAwait(false);
                if (!ingestion.Completion.IsCompleted)
                {
                    await Console.Error.WriteLineAsync(
                        $"warning: not everything was committed within the stop timeout ({consumer.StopTimeout.TotalSeconds:F0} s); what is landed stays landed, the rest is read again and skipped on the next start.");
                    return 0;
                }
            }

            Print(await ingestion.Completion.ConfigureAwait(false), settings.Path, clock.Elapsed);
            return 0;
        }
#pragma warning disable CA1031 // The command's boundary: any failure becomes one line and a non-zero exit.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"error: {(e as AggregateException)?.GetBaseException().Message ?? e.Message}");
            return 1;
        }
        finally
        {
            if (system is not null)
            {
                // Bounded: a consumer stuck on an unresponsive broker must not keep the process alive.
                await Task.WhenAny(system.Terminate(), Task.Delay(TimeSpan.FromSeconds(3), CancellationToken.None)).ConfigureAwait(false);
            }
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
            $"stats: records={total} elapsed_ms={elapsed.TotalMilliseconds:F0} records_per_s={total / Math.Max(elapsed.TotalSeconds, 1e-9):F0} peak_rss_mb={(peak ?? 0) / 1048576.0:F0} gc_pause_ms={GC.GetTotalPauseDuration().TotalMilliseconds:F0} gc_counts={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} allocated_mb={GC.GetTotalAllocatedBytes() / 1048576.0:F0}"));
    }
}
