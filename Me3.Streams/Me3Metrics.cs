using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Me3.Streams;

/// <summary>
/// The library's instruments, on the <c>Me3.Streams</c> meter (System.Diagnostics.Metrics): any OpenTelemetry or
/// prometheus-net exporter picks them up.
/// </summary>
public static class Me3Metrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Me3.Streams";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<(string Group, string Topic, int Partition), long> Lags = new();

    internal static readonly Histogram<double> WriteDuration = Meter.CreateHistogram<double>(
        "me3_lake_write_duration", "ms", "Time to land one table batch: encode, fsync, rename.");

    internal static readonly Counter<long> RecordsConsumed = Meter.CreateCounter<long>(
        "me3_kafka_records_consumed", description: "Records read from Kafka.");

    static Me3Metrics() =>
        Meter.CreateObservableGauge("me3_kafka_consumer_lag", ObserveLag, description: "Records behind the partition's end, per group, topic and partition.");

    internal static void SetLag(string group, string topic, int partition, long lag) => Lags[(group, topic, partition)] = lag;

    internal static void ForgetLag(string group, string topic, int partition) => Lags.TryRemove((group, topic, partition), out _);

    private static IEnumerable<Measurement<long>> ObserveLag() =>
        Lags.Select(l => new Measurement<long>(l.Value,
            new KeyValuePair<string, object?>("group", l.Key.Group),
            new KeyValuePair<string, object?>("topic", l.Key.Topic),
            new KeyValuePair<string, object?>("partition", l.Key.Partition)));
}
