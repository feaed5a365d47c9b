using Me3.Host.Dashboard;
using Me3.Host.Health;
using Me3.Streams;
using Me3.Streams.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;

namespace Me3.Tests.Host;

public sealed class HealthAssessmentSpec
{
    private static readonly TimeSpan Late = TimeSpan.FromSeconds(65);

    [Fact]
    public void Kafka_must_be_down_when_its_check_fails()
    {
        var kafka = HealthAssessment.Kafka(Report(kafka: "Kafka is not reachable at b:9092: timed out"), ingestEnabled: true, "events", owned: 0);

        Assert.Equal(new ComponentHealth(HealthState.Down, "Kafka is not reachable at b:9092: timed out"), kafka);
    }

    [Fact]
    public void Kafka_must_be_degraded_when_it_answers_but_the_ingestion_owns_no_partition()
    {
        var kafka = HealthAssessment.Kafka(Report(ingestion: "the ingestion has not joined its consumer group yet"), ingestEnabled: true, "events", owned: 0);

        Assert.Equal(new ComponentHealth(HealthState.Degraded, "Kafka answers, but the ingestion has not joined its consumer group yet"), kafka);
    }

    [Fact]
    public void Kafka_must_be_healthy_when_it_answers_and_say_how_many_partitions_this_host_reads()
    {
        Assert.Equal(new ComponentHealth(HealthState.Healthy, "topic events: this host's ingestion reads 4 partitions"),
            HealthAssessment.Kafka(Report(), ingestEnabled: true, "events", owned: 4));
        Assert.Equal(new ComponentHealth(HealthState.Healthy, "topic events answers"), HealthAssessment.Kafka(Report(), ingestEnabled: false, "events", owned: 0));
        Assert.Equal(HealthState.Unknown, HealthAssessment.Kafka(null, ingestEnabled: true, "events", owned: 4).State);
    }

    [Theory]
    [InlineData(Me3IngestionState.Running, HealthState.Healthy, "the ingestion runs; everything read is landed")]
    [InlineData(Me3IngestionState.Starting, HealthState.Degraded, "the ingestion is starting")]
    [InlineData(Me3IngestionState.Restarting, HealthState.Degraded, "the ingestion failed and restarts (restart 3): disk full")]
    [InlineData(Me3IngestionState.Failed, HealthState.Down, "the ingestion is down for good after 3 restarts: disk full")]
    [InlineData(Me3IngestionState.Stopped, HealthState.Down, "the ingestion is stopped")]
    public void The_lake_must_follow_the_ingestion(Me3IngestionState state, HealthState expected, string detail) =>
        Assert.Equal(new ComponentHealth(expected, detail),
            HealthAssessment.Lake(ingestEnabled: true, state, restarts: 3, state == Me3IngestionState.Running ? null : new Me3Exception("disk full"), 0, TimeSpan.Zero, Late));

    [Fact]
    public void The_lake_must_be_degraded_when_records_wait_longer_than_a_batch_takes()
    {
        var onTime = HealthAssessment.Lake(true, Me3IngestionState.Running, 0, null, waiting: 1200, TimeSpan.FromSeconds(40), Late);
        var late = HealthAssessment.Lake(true, Me3IngestionState.Running, 0, null, waiting: 1200, TimeSpan.FromSeconds(70), Late);

        Assert.Equal(new ComponentHealth(HealthState.Healthy, "the ingestion runs; 1,200 records are on their way to the lake"), onTime);
        Assert.Equal(new ComponentHealth(HealthState.Degraded, "1,200 records wait in Kafka and nothing has landed for 70 s"), late);
    }

    [Fact]
    public void The_lake_must_be_healthy_on_a_host_that_only_reads_it() =>
        Assert.Equal(HealthState.Healthy, HealthAssessment.Lake(false, Me3IngestionState.Starting, 0, null, 0, TimeSpan.Zero, Late).State);

    private static HealthReport Report(string? kafka = null, string? ingestion = null) => new(
        new Dictionary<string, HealthReportEntry>
        {
            [Me3HealthChecks.Kafka] = Entry(kafka),
            [Me3HealthChecks.Ingestion] = Entry(ingestion),
        },
        TimeSpan.Zero);

    private static HealthReportEntry Entry(string? failure) =>
        new(failure is null ? HealthStatus.Healthy : HealthStatus.Unhealthy, failure, TimeSpan.Zero, null, null);
}
