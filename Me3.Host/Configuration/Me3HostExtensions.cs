using Akka.Hosting;
using Me3.Host.Analytics;
using Me3.Host.Publishing;
using Me3.Streams.Hosting;
using Me3.Streams.Settings;
using Microsoft.Extensions.Options;
using Akka.Streams;
using Me3.Host.Health;
using Me3.Streams;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Me3.Host.Configuration;

/// <summary>Wires the host: validated options, Kafka, the publisher, and the hosted ingestion.</summary>
public static class Me3HostExtensions
{
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
        builder.Services.AddMe3Analytics(builder.Configuration);
        builder.AddAnalyticsListener();
        builder.Services.AddMe3Health();

        // One metrics system: the library's meter (and ASP.NET Core's own) exported by OpenTelemetry.
        builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService("me3-host")).WithMetrics(metrics => metrics
            .AddMeter(Me3Metrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        var maxBody = builder.Configuration.GetValue($"{Me3Options.Section}:Api:MaxBodyBytes", new ApiOptions().MaxBodyBytes);
        var stopSeconds = builder.Configuration.GetValue($"{Me3Options.Section}:Ingest:StopTimeoutSeconds", new IngestOptions().StopTimeoutSeconds);

        // The host waits for the ingestion's drain (bounded by its stop timeout) before it gives up on it.
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(Math.Clamp(stopSeconds, 0, 3600) + 10));
        var api = builder.Configuration.GetSection($"{Me3Options.Section}:Api");
        var defaults = new ApiOptions();
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Bounded connections: a flood of idle connections is refused instead of growing memory until the
            // process dies (and takes the ingestion with it). Bad values are reported by the options validator.
            k.Limits.MaxConcurrentConnections = Math.Max(1, api.GetValue("MaxConnections", defaults.MaxConnections));
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(Math.Clamp(api.GetValue("KeepAliveSeconds", defaults.KeepAliveSeconds), 0.1, 3600));
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(Math.Clamp(api.GetValue("HeadersTimeoutSeconds", defaults.HeadersTimeoutSeconds), 0.1, 3600));
            k.Limits.MaxRequestBodySize = maxBody;
            k.Limits.MaxRequestLineSize = 8 * 1024;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });

        builder.Services.AddAkka("me3", (akka, services) =>
        {
            var options = services.GetRequiredService<IOptions<Me3Options>>().Value;

            // Akka's own level follows the logging configuration's "Akka" category (default Information). The generic
            // host owns the process lifetime: on SIGTERM it stops the API first, then the actor system, whose drain
            // must not race it from a second, CLR-exit trigger.
            var akkaLevel = AkkaLogLevel(services.GetRequiredService<IConfiguration>()["Logging:LogLevel:Akka"]);
            akka.AddHocon($"akka.loglevel = {akkaLevel}\nakka.stdout-loglevel = {akkaLevel}\nakka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Prepend);
            if (!options.Ingest.Enabled)
            {
                return;
            }

            var kafka = services.GetRequiredService<KafkaConnection>();
            var status = services.GetRequiredService<Me3IngestionStatus>();
            var lake = new LakeSettings(options.Lake.Path).WithBatchBounds(
                options.Ingest.BatchRecords, (long)options.Ingest.BatchMegabytes << 20, TimeSpan.FromSeconds(options.Ingest.BatchSeconds));
            var consumer = new KafkaConsumerSettings(kafka.BootstrapServers, options.Kafka.GroupId, kafka.Topic)
                .WithStopTimeout(TimeSpan.FromSeconds(options.Ingest.StopTimeoutSeconds));
            var ingest = options.Ingest;
            var restart = RestartSettings.Create(TimeSpan.FromSeconds(ingest.RestartMinBackoffSeconds), TimeSpan.FromSeconds(ingest.RestartMaxBackoffSeconds), 0.2)
                .WithMaxRestarts(ingest.MaxRestarts, TimeSpan.FromSeconds(ingest.RestartWindowSeconds));

            // The embedded broker's data dies with the process: a stop first lands everything it acknowledged.
            akka.WithMe3Ingestion(new Me3IngestionSettings(consumer, lake).WithCatchUpBeforeStop(kafka.Embedded is not null).WithRestart(restart), status);
        });
        return builder;
    }

    private static string AkkaLogLevel(string? level) => level?.Trim().ToUpperInvariant() switch
    {
        "TRACE" or "DEBUG" => "DEBUG",
        "WARNING" => "WARNING",
        "ERROR" or "CRITICAL" => "ERROR",
        "NONE" => "OFF",
        _ => "INFO",
    };
}
