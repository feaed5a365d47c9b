using System.Globalization;
using Me3.Host.Health;
using Me3.Streams.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Me3.Host.Dashboard;

/// <summary>
/// Turns the host's health checks, the ingestion's state and its lag into the dashboard's two verdicts: Kafka
/// (down when the Kafka check fails; degraded when it answers but the ingestion's consumer owns no partition) and the
/// lake (down when the ingestion is down for good; degraded while it starts or restarts, or when records wait in Kafka
/// and nothing has landed for longer than a batch should take).
/// </summary>
internal static class HealthAssessment
{
    /// <summary>The state of Kafka.</summary>
    /// <param name="report">The last run of the readiness checks; null before the first.</param>
    /// <param name="ingestEnabled">Whether this host ingests.</param>
    /// <param name="topic">The events topic.</param>
    /// <param name="owned">Partitions the ingestion's consumer owns.</param>
    public static ComponentHealth Kafka(HealthReport? report, bool ingestEnabled, string topic, int owned)
    {
        if (report is null)
        {
            return new(HealthState.Unknown, "not checked yet");
        }

        if (report.Entries.TryGetValue(Me3HealthChecks.Kafka, out var kafka) && kafka.Status != HealthStatus.Healthy)
        {
            return new(HealthState.Down, kafka.Description ?? "Kafka does not answer");
        }

        if (ingestEnabled && owned == 0
            && report.Entries.TryGetValue(Me3HealthChecks.Ingestion, out var ingestion) && ingestion.Status != HealthStatus.Healthy)
        {
            return new(HealthState.Degraded, $"Kafka answers, but {ingestion.Description}");
        }

        return new(HealthState.Healthy, ingestEnabled
            ? string.Create(CultureInfo.InvariantCulture, $"topic {topic}: this host's ingestion reads {owned} partition{(owned == 1 ? "" : "s")}")
            : $"topic {topic} answers");
    }

    /// <summary>The state of the lake, as far as landing goes (the dashboard marks it down as well when it cannot be
    /// queried).</summary>
    /// <param name="ingestEnabled">Whether this host ingests.</param>
    /// <param name="state">The ingestion's state.</param>
    /// <param name="restarts">Its restarts after failures.</param>
    /// <param name="failure">Its last failure.</param>
    /// <param name="waiting">Records in Kafka not landed yet.</param>
    /// <param name="waitingFor">How long records have waited with nothing landing.</param>
    /// <param name="lateAfter">How long a wait is normal (a batch interval and some).</param>
    public static ComponentHealth Lake(bool ingestEnabled, Me3IngestionState state, int restarts, Exception? failure, long waiting, TimeSpan waitingFor, TimeSpan lateAfter)
    {
        if (!ingestEnabled)
        {
            return new(HealthState.Healthy, "this host does not ingest (Me3:Ingest:Enabled is off); the lake is only read");
        }

        var why = failure is null ? "" : $": {failure.Message}";
        return state switch
        {
            Me3IngestionState.Failed => new(HealthState.Down, $"the ingestion is down for good after {restarts} restarts{why}"),
            Me3IngestionState.Stopped => new(HealthState.Down, "the ingestion is stopped"),
            Me3IngestionState.Restarting => new(HealthState.Degraded, $"the ingestion failed and restarts (restart {restarts}){why}"),
            Me3IngestionState.Starting => new(HealthState.Degraded, "the ingestion is starting"),
            _ when waiting > 0 && waitingFor > lateAfter => new(HealthState.Degraded,
                string.Create(CultureInfo.InvariantCulture, $"{waiting:N0} records wait in Kafka and nothing has landed for {waitingFor.TotalSeconds:N0} s")),
            _ => new(HealthState.Healthy, waiting > 0
                ? string.Create(CultureInfo.InvariantCulture, $"the ingestion runs; {waiting:N0} records are on their way to the lake")
                : "the ingestion runs; everything read is landed"),
        };
    }
}
