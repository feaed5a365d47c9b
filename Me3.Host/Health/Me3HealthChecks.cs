using Confluent.Kafka;
using Me3.Host.Configuration;
using Me3.Host.Publishing;
using Me3.Streams.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Me3.Host.Health;

/// <summary>
/// The host's health checks (ASP.NET Core health checks): liveness (<c>/healthz</c>) fails only when the ingestion is
/// down for good; readiness (<c>/readyz</c>) also needs Kafka and a running, assigned ingestion.
/// </summary>
public static class Me3HealthChecks
{
    /// <summary>Tag of the checks <c>/healthz</c> runs.</summary>
    public const string Live = "live";

    /// <summary>Tag of the checks <c>/readyz</c> runs.</summary>
    public const string Ready = "ready";

    /// <summary>Name of the check that Kafka answers metadata for the topic.</summary>
    public const string Kafka = "kafka";

    /// <summary>Name of the check that the ingestion runs and (on the embedded broker) owns its partitions.</summary>
    public const string Ingestion = "ingestion";

    /// <summary>Registers the checks.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddMe3Health(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<IngestionAliveCheck>("ingestion-alive", tags: [Live, Ready])
            .AddCheck<IngestionReadyCheck>(Ingestion, tags: [Ready])
            .AddCheck<KafkaReachableCheck>(Kafka, tags: [Ready]);
        return services;
    }
}

/// <summary>Unhealthy when the ingestion failed more often than its restart settings allow.</summary>
internal sealed class IngestionAliveCheck(Me3IngestionStatus status, IOptions<Me3Options> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(options.Value.Ingest.Enabled && status.State == Me3IngestionState.Failed
            ? HealthCheckResult.Unhealthy($"the ingestion is down for good after {status.Restarts} restarts: {status.Failure?.Message}")
            : HealthCheckResult.Healthy());
}

/// <summary>Healthy when the ingestion runs and, on the embedded broker, owns its partitions.</summary>
internal sealed class IngestionReadyCheck(Me3IngestionStatus status, KafkaConnection kafka, IOptions<Me3Options> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Ingest.Enabled)
        {
            return Task.FromResult(HealthCheckResult.Healthy());
        }

        if (!status.Running)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"the ingestion is not running ({status.State}){(status.Failure is { } f ? ": " + f.Message : "")}"));
        }

        // The embedded broker keeps events only in this process: accept them only once the ingestion reads them.
        return Task.FromResult(kafka.Embedded is not null && status.Control?.Assignment.Count is null or 0
            ? HealthCheckResult.Unhealthy("the ingestion has not joined its consumer group yet")
            : HealthCheckResult.Healthy());
    }
}

/// <summary>Healthy when Kafka answers metadata for the topic within 2 s, through the one admin client of the process.</summary>
internal sealed class KafkaReachableCheck(KafkaConnection kafka) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await Task.Run(() => kafka.Admin.GetMetadata(kafka.Topic, TimeSpan.FromSeconds(2)), cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (KafkaException e)
        {
            return HealthCheckResult.Unhealthy($"Kafka is not reachable at {kafka.BootstrapServers}: {e.Error.Reason}");
        }
    }
}
