using Akka.Hosting;
using Me3.Host.Analytics;
using Me3.Host.Publishing;
using Me3.Streams.Hosting;
using Me3.Streams.Settings;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Me3.Host.Configuration;

/// <summary>Wires the host: validated options, Kafka, the publisher, and the hosted ingestion.</summary>
public static class Me3HostExtensions
{
    private static readonly Counter RowsLanded = Metrics.CreateCounter("me3_rows_landed_total", "Rows landed in the lake.", "table");
    private static readonly Counter FilesLanded = Metrics.CreateCounter("me3_files_landed_total", "Parquet files landed.", "table");
    private static readonly Counter AlreadyInLake = Metrics.CreateCounter("me3_replayed_skipped_total", "Replayed records skipped because the lake had them.", "table");
    private static readonly Histogram BatchRows = Metrics.CreateHistogram("me3_file_rows", "Rows per landed file.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(10, 4, 8) });
    private static readonly Gauge CommittedOffset = Metrics.CreateGauge("me3_committable_offset", "Latest committable offset.", "topic", "partition");

    /// <summary>Adds everything Me3.Host runs, from the <c>Me3</c> configuration section.</summary>
    /// <param name="builder">The application builder.</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddMe3(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<Me3Options>().BindConfiguration(Me3Options.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<Me3Options>, Me3OptionsValidator>();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<KafkaConnection>();
        builder.Services.AddSingleton<EventPublisher>();
        builder.Services.AddSingleton<Me3IngestionStatus>();
        builder.Services.AddMe3Analytics();
        var maxBody = builder.Configuration.GetValue($"{Me3Options.Section}:Api:MaxBodyBytes", new ApiOptions().MaxBodyBytes);
        var stopSeconds = builder.Configuration.GetValue($"{Me3Options.Section}:Ingest:StopTimeoutSeconds", new IngestOptions().StopTimeoutSeconds);

        // The host waits for the ingestion's drain (bounded by its stop timeout) before it gives up on it.
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(Math.Clamp(stopSeconds, 0, 3600) + 10));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = maxBody;
            k.Limits.MaxRequestLineSize = 8 * 1024;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });

        builder.Services.AddAkka("me3", (akka, services) =>
        {
            var options = services.GetRequiredService<IOptions<Me3Options>>().Value;

            // The generic host owns the process lifetime: on SIGTERM it stops the API first, then the actor system, whose
            // drain must not race it from a second, CLR-exit trigger.
            akka.AddHocon("akka.loglevel = INFO\nakka.stdout-loglevel = WARNING\nakka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Prepend);
            if (!options.Ingest.Enabled)
            {
                return;
            }

            var kafka = services.GetRequiredService<KafkaConnection>();
            var status = services.GetRequiredService<Me3IngestionStatus>();
            status.Checkpoint += Observe;
            var lake = new LakeSettings(options.Lake.Path).WithBatchBounds(
                options.Ingest.BatchRecords, (long)options.Ingest.BatchMegabytes << 20, TimeSpan.FromSeconds(options.Ingest.BatchSeconds));
            var consumer = new KafkaConsumerSettings(kafka.BootstrapServers, options.Kafka.GroupId, kafka.Topic)
                .WithStopTimeout(TimeSpan.FromSeconds(options.Ingest.StopTimeoutSeconds));

            // The embedded broker's data dies with the process: a stop first lands everything it acknowledged.
            akka.WithMe3Ingestion(new Me3IngestionSettings(consumer, lake).WithCatchUpBeforeStop(kafka.Embedded is not null), status);
        });
        return builder;
    }

    private static void Observe(Streams.Lake.LakeCheckpoint checkpoint)
    {
        foreach (var file in checkpoint.Files)
        {
            RowsLanded.WithLabels(file.Table).Inc(file.Rows);
            FilesLanded.WithLabels(file.Table).Inc();
            BatchRows.Observe(file.Rows);
        }

        foreach (var (table, skipped) in checkpoint.AlreadyInLake)
        {
            AlreadyInLake.WithLabels(table).Inc(skipped);
        }

        foreach (var offset in checkpoint.Offsets)
        {
            CommittedOffset.WithLabels(offset.Source, offset.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture)).Set(offset.NextOffset);
        }
    }
}
