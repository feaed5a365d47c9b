using Confluent.Kafka;
using Me3.Streams.Kafka;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Kafka;

/// <summary>
/// A group coordinator that moves or loads answers offset commits with errors for a moment; the ingestion retries
/// them with backoff instead of failing. A cluster of its own: the errors it is told to answer with are for this spec.
/// </summary>
public sealed class CoordinatorErrorSpec : LakeSpec
{
    private const short OffsetCommit = 8;

    [Fact]
    public async Task Offset_commits_refused_while_the_coordinator_moves_must_be_retried_and_everything_landed_and_committed()
    {
        await StreamSpecAsync(async () =>
        {
            using var kafka = new EmbeddedKafka(brokers: 1);
            kafka.CreateTopic("moving", partitions: 2, replicationFactor: 1);
            await KafkaFixture.ProduceAsync(kafka.BootstrapServers, "moving", Enumerable.Range(0, 600).Select(i => Records.Purchase($"u{i}", "s")));

            // The first commits are refused as a real cluster refuses them while its coordinator moves.
            kafka.FailNextRequests(OffsetCommit,
                ErrorCode.NotCoordinatorForGroup, ErrorCode.GroupCoordinatorNotAvailable, ErrorCode.GroupLoadInProgress, ErrorCode.NotCoordinatorForGroup);

            var consumer = new KafkaConsumerSettings(kafka.BootstrapServers, "moving", "moving").WithStopTimeout(TimeSpan.FromSeconds(20));
            var ingestion = KafkaFixture.RunIngestion(consumer, Settings(batchRecords: 100).WithBatchBounds(100, 8L << 20, TimeSpan.FromMilliseconds(200)), Materializer);

            // Everything lands, and the commits get through once the coordinator answers again: the committed offsets
            // reach the end of both partitions while the ingestion keeps running.
            await AwaitAssertAsync(() => Assert.Equal(600, Committed(kafka).Values.Sum()), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
            Assert.False(ingestion.Completion.IsCompleted, ingestion.Completion.Exception?.GetBaseException().Message);

            await ingestion.DrainAndShutdownAsync();
            var summary = await ingestion.Completion;
            Assert.Equal(600, summary.RowsLanded);
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(600, duck.Positions("purchases").Distinct().Count());
            Assert.Equal(600, duck.Positions("purchases").Count);
        }, timeout: TimeSpan.FromSeconds(120));
    }

    private static Dictionary<int, long> Committed(EmbeddedKafka kafka)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = "moving" }).Build();
        return consumer.Committed([new TopicPartition("moving", 0), new TopicPartition("moving", 1)], TimeSpan.FromSeconds(10))
            .ToDictionary(o => o.Partition.Value, o => Math.Max(0, o.Offset.Value));
    }
}
