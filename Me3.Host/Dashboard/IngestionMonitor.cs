using Me3.Host.Configuration;
using Me3.Host.Health;
using Me3.Host.Publishing;
using Me3.Streams.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Me3.Host.Dashboard;

/// <summary>
/// Samples the ingestion's instruments every second and the host's readiness checks every few seconds, and keeps the
/// latest <see cref="IngestionHealth"/>: the dashboard's viewers read it and cost nothing, however many they are.
/// Rates are the change of the same counters over the last <see cref="RateWindow"/>.
/// </summary>
internal sealed partial class IngestionMonitor(
    Me3MeterReader reader,
    HealthCheckService checks,
    Me3IngestionStatus status,
    KafkaConnection kafka,
    IOptions<Me3Options> options,
    ILogger<IngestionMonitor> logger) : BackgroundService
{
    /// <summary>How often the instruments are read.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    /// <summary>The span rates are measured over.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10);

    /// <summary>How often the health checks run (the Kafka check asks the broker for metadata).</summary>
    public static readonly TimeSpan ChecksEvery = TimeSpan.FromSeconds(5);

    private const string Produced = "me3_kafka_records_produced";
    private const string RowsLanded = "me3_lake_rows_landed";
    private const string FilesLanded = "me3_lake_files_landed";
    private const string LastLandedTime = "me3_lake_last_landed_time";
    private const string EndOffset = "me3_kafka_end_offset";
    private const string CommittedOffset = "me3_kafka_committed_offset";

    private readonly Queue<MeterReading> _readings = new();
    private HealthReport? _report;
    private long? _checkedAt;
    private long? _waitingSince;
    private long _landedBefore = -1;
    private IngestionHealth? _current;

    /// <summary>The latest health; before the first sample, what the instruments say now, unchecked.</summary>
    public IngestionHealth Current => Volatile.Read(ref _current) ?? Build(reader.Read(), null, null, TimeSpan.Zero);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        do
        {
            try
            {
                await SampleAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed sample leaves the last one in place; the host must not stop over its dashboard.
                LogSampleFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        if (_checkedAt is not { } checkedAt || Environment.TickCount64 - checkedAt >= ChecksEvery.TotalMilliseconds)
        {
            _report = await checks.CheckHealthAsync(c => c.Tags.Contains(Me3HealthChecks.Ready), cancellationToken).ConfigureAwait(false);
            _checkedAt = Environment.TickCount64;
        }

        var now = reader.Read();
        _readings.Enqueue(now);
        while (_readings.Count > 2 && now.Ticks - _readings.Peek().Ticks > RateWindow.TotalMilliseconds)
        {
            _readings.Dequeue();
        }

        // How long records have waited in Kafka while nothing landed: the clock restarts with every landing.
        var waiting = Partitions(now).Sum(p => p.Lag ?? 0);
        var landed = now.Sum(RowsLanded);
        _waitingSince = waiting == 0 ? null : landed != _landedBefore ? now.Ticks : _waitingSince ?? now.Ticks;
        _landedBefore = landed;
        var waitingFor = TimeSpan.FromMilliseconds(_waitingSince is { } since ? now.Ticks - since : 0);
        Volatile.Write(ref _current, Build(now, _readings.Peek(), _report, waitingFor));
    }

    private IngestionHealth Build(MeterReading now, MeterReading? before, HealthReport? report, TimeSpan waitingFor)
    {
        var ingest = options.Value.Ingest;
        var topic = kafka.Topic;
        var partitions = Partitions(now);
        var waiting = partitions.Sum(p => p.Lag ?? 0);
        var owned = status.Control?.Assignment.Count(tp => tp.Topic == topic) ?? 0;
        var tables = now.Of(RowsLanded).Concat(now.Of(FilesLanded)).Concat(now.Of(LastLandedTime))
            .Select(v => v.Tag("table")).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(t => new TableLanding(t, now.Sum(RowsLanded, "table", t), now.Sum(FilesLanded, "table", t),
                now.Of(LastLandedTime, "table", t).Select(v => (DateTime?)DateTime.UnixEpoch.AddSeconds(v.Value)).FirstOrDefault()))
            .ToArray();
        var lateAfter = TimeSpan.FromSeconds(2 * ingest.BatchSeconds + 5);
        return new IngestionHealth(
            now.At,
            topic,
            HealthAssessment.Kafka(report, ingest.Enabled, topic, owned),
            HealthAssessment.Lake(ingest.Enabled, status.State, status.Restarts, status.Failure, waiting, waitingFor, lateAfter),
            ingest.Enabled ? status.State.ToString() : "Disabled",
            status.Restarts,
            Rate(now, before, r => r.Sum(Produced, "topic", topic)),
            Rate(now, before, r => r.Sum(RowsLanded)),
            waiting,
            tables.Max(t => t.LastLanded),
            partitions,
            tables);
    }

    /// <summary>Every partition of the topic that this host owns or has fetched from: its end, committed offset, lag.</summary>
    private PartitionLag[] Partitions(MeterReading now)
    {
        var topic = kafka.Topic;
        var ends = Offsets(now, EndOffset, topic);
        var committed = Offsets(now, CommittedOffset, topic);
        var owned = status.Control?.Assignment.Where(tp => tp.Topic == topic).Select(tp => tp.Partition.Value) ?? [];
        return [.. ends.Keys.Union(owned).Order().Select(p =>
        {
            long? end = ends.TryGetValue(p, out var e) ? e : null;
            long? next = committed.TryGetValue(p, out var c) ? c : null;
            return new PartitionLag(p, end, next, end - next is { } lag ? Math.Max(0, lag) : null);
        })];
    }

    private static Dictionary<int, long> Offsets(MeterReading reading, string instrument, string topic) =>
        reading.Of(instrument, "topic", topic)
            .Where(v => int.TryParse(v.Tag("partition"), System.Globalization.CultureInfo.InvariantCulture, out _))
            .ToDictionary(v => int.Parse(v.Tag("partition")!, System.Globalization.CultureInfo.InvariantCulture), v => (long)v.Value);

    private static Throughput Rate(MeterReading now, MeterReading? before, Func<MeterReading, long> count) =>
        new(before is null || now.Ticks <= before.Ticks ? null : (count(now) - count(before)) * 1000.0 / (now.Ticks - before.Ticks), count(now));

    [LoggerMessage(Level = LogLevel.Warning, Message = "The dashboard could not sample the ingestion's health")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
