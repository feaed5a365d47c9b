using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Me3.Streams.Lake;

namespace Me3.Streams;

/// <summary>
/// The library's instruments, on the <c>Me3.Streams</c> meter (System.Diagnostics.Metrics): the one source of the
/// ingestion's numbers. Any OpenTelemetry or prometheus-net exporter, or a <see cref="MeterListener"/> in process,
/// reads them. Names and labels are listed in docs/operations.md.
/// </summary>
public static class Me3Metrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Me3.Streams";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<(string Group, string Topic, int Partition), long> Lags = new();
    private static readonly ConcurrentDictionary<(string Topic, int Partition), long> CommittedOffsets = new();
    private static readonly ConcurrentDictionary<(string Topic, int Partition), long> EndOffsets = new();
    private static readonly ConcurrentDictionary<(string Group, string Topic, int Partition), int> Paused = new();
    private static readonly ConcurrentDictionary<string, long> LastLanded = new(StringComparer.Ordinal);

    internal static readonly Histogram<double> WriteDuration = Meter.CreateHistogram<double>(
        "me3_lake_write_duration", "ms", "Time to land one table batch: encode, fsync, rename.");

    internal static readonly Counter<long> RecordsConsumed = Meter.CreateCounter<long>(
        "me3_kafka_records_consumed", "{record}", "Records read from Kafka.");

    internal static readonly Counter<long> RecordsProduced = Meter.CreateCounter<long>(
        "me3_kafka_records_produced", "{record}", "Records Kafka acknowledged to the producer (all in-sync replicas), per topic.");

    internal static readonly Counter<long> RowsLanded = Meter.CreateCounter<long>(
        "me3_lake_rows_landed", "{row}", "Rows landed in the lake, per table (dead letters: table=\"dead_letters\").");

    internal static readonly Counter<long> FilesLanded = Meter.CreateCounter<long>(
        "me3_lake_files_landed", "{file}", "Parquet files landed, per table.");

    internal static readonly Counter<long> BytesLanded = Meter.CreateCounter<long>(
        "me3_lake_landed", "By", "Bytes of Parquet landed, per table.");

    internal static readonly Counter<long> ReplayedSkipped = Meter.CreateCounter<long>(
        "me3_lake_replayed_skipped", "{record}", "Replayed records skipped because the lake already had them, per table.");

    internal static readonly Histogram<long> FileRows = Meter.CreateHistogram<long>(
        "me3_lake_file_rows", "{row}", "Rows per landed file.");

    internal static readonly Counter<long> IngestionRestarts = Meter.CreateCounter<long>(
        "me3_ingestion_restarts", "{restart}", "Restarts of the hosted ingestion after a failure.");

    static Me3Metrics()
    {
        Meter.CreateObservableGauge("me3_kafka_consumer_lag", ObserveLag, "{record}", "Records behind the partition's end, per group, topic and partition.");
        Meter.CreateObservableGauge("me3_kafka_committed_offset", ObserveCommitted, "{offset}",
            "The last offset committed after landing, per topic and partition (the next to read); before this process's first commit, where its consumer started reading.");
        Meter.CreateObservableGauge("me3_kafka_end_offset", ObserveEnd, "{offset}", "The partition's end (high watermark) as of the consumer's last fetch, per topic and partition.");
        Meter.CreateObservableGauge("me3_kafka_consumer_paused", ObservePaused, "{partition}",
            "1 while the consumer holds the partition paused because the stream stopped taking records (a stalled lake writer), else 0; per group, topic and partition.");
        Meter.CreateObservableGauge("me3_lake_last_landed_time", ObserveLastLanded, "s", "When a file last landed, per table, in Unix seconds.");
    }

    internal static void SetLag(string group, string topic, int partition, long lag) => Lags[(group, topic, partition)] = lag;

    /// <summary>Records whether the consumer of <paramref name="group"/> holds these partitions paused.</summary>
    internal static void SetPaused(string group, IEnumerable<(string Topic, int Partition)> partitions, bool paused)
    {
        foreach (var (topic, partition) in partitions)
        {
            Paused[(group, topic, partition)] = paused ? 1 : 0;
        }
    }

    internal static void ForgetLag(string group, string topic, int partition)
    {
        Lags.TryRemove((group, topic, partition), out _);
        Paused.TryRemove((group, topic, partition), out _);
        EndOffsets.TryRemove((topic, partition), out _);
    }

    /// <summary>
    /// Records a fetch from a partition: its end, and, until this process commits there, the first offset fetched as
    /// its committed offset (a consumer starts at the group's committed offset), so that end − committed (the records
    /// not landed yet) is known from the first fetch on, not only after the first landing.
    /// </summary>
    internal static void Fetched(string topic, int partition, long firstOffset, long end)
    {
        EndOffsets[(topic, partition)] = end;
        CommittedOffsets.TryAdd((topic, partition), firstOffset);
    }

    internal static void Committed(string topic, int partition, long nextOffset) =>
        CommittedOffsets.AddOrUpdate((topic, partition), nextOffset, (_, old) => Math.Max(old, nextOffset));

    /// <summary>Records what a checkpoint landed and skipped.</summary>
    internal static void Landed(LakeCheckpoint checkpoint)
    {
        foreach (var file in checkpoint.Files)
        {
            var table = new KeyValuePair<string, object?>("table", file.Table);
            RowsLanded.Add(file.Rows, table);
            FilesLanded.Add(1, table);
            BytesLanded.Add(file.Bytes, table);
            FileRows.Record(file.Rows);
            ReplayedSkipped.Add(0, table); // present from the first landing on, not only after a replay
            LastLanded[file.Table] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        }

        foreach (var (table, skipped) in checkpoint.AlreadyInLake)
        {
            ReplayedSkipped.Add(skipped, new KeyValuePair<string, object?>("table", table));
        }
    }

    private static IEnumerable<Measurement<long>> ObserveLag() =>
        Lags.Select(l => new Measurement<long>(l.Value,
            new KeyValuePair<string, object?>("group", l.Key.Group),
            new KeyValuePair<string, object?>("topic", l.Key.Topic),
            new KeyValuePair<string, object?>("partition", l.Key.Partition)));

    private static IEnumerable<Measurement<long>> ObserveCommitted() =>
        CommittedOffsets.Select(c => new Measurement<long>(c.Value,
            new KeyValuePair<string, object?>("topic", c.Key.Topic),
            new KeyValuePair<string, object?>("partition", c.Key.Partition)));

    private static IEnumerable<Measurement<long>> ObserveEnd() =>
        EndOffsets.Select(c => new Measurement<long>(c.Value,
            new KeyValuePair<string, object?>("topic", c.Key.Topic),
            new KeyValuePair<string, object?>("partition", c.Key.Partition)));

    private static IEnumerable<Measurement<int>> ObservePaused() =>
        Paused.Select(p => new Measurement<int>(p.Value,
            new KeyValuePair<string, object?>("group", p.Key.Group),
            new KeyValuePair<string, object?>("topic", p.Key.Topic),
            new KeyValuePair<string, object?>("partition", p.Key.Partition)));

    private static IEnumerable<Measurement<double>> ObserveLastLanded() =>
        LastLanded.Select(l => new Measurement<double>(l.Value / 1000.0, new KeyValuePair<string, object?>("table", l.Key)));
}
