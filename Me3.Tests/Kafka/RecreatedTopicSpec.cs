using Akka.Streams.TestKit;
using Me3.Streams;
using Me3.Streams.Kafka;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Kafka;

/// <summary>
/// A topic deleted and re-created under its name (or a lake pointed at another cluster) starts its offsets at 0
/// again, while the lake holds higher ones: its events must not be skipped as replays.
/// </summary>
public sealed class RecreatedTopicSpec : LakeSpec
{
    private LakeSettings Lake => Settings(batchRecords: 100).WithBatchBounds(100, 8L << 20, TimeSpan.FromMilliseconds(200));

    private static KafkaConsumerSettings Consumer(EmbeddedKafka kafka) =>
        new KafkaConsumerSettings(kafka.BootstrapServers, "me3-ingest", "events").WithStopTimeout(TimeSpan.FromSeconds(20));

    private List<(int Partition, long Offset)> Landed()
    {
        using var duck = new DuckLake(Temp.Lake);
        return duck.Positions("purchases");
    }

    [Fact]
    public async Task A_topic_recreated_with_fewer_records_must_stop_the_ingestion_naming_partition_and_offsets_and_skip_nothing()
    {
        await StreamSpecAsync(async () =>
        {
            using (var before = new EmbeddedKafka(brokers: 1))
            {
                before.CreateTopic("events", partitions: 2);
                await KafkaFixture.ProduceAsync(before.BootstrapServers, "events", Enumerable.Range(0, 400).Select(i => Records.Purchase($"old{i}", "s")));
                var ingestion = KafkaFixture.RunIngestion(Consumer(before), Lake, Materializer);
                await AwaitAssertAsync(() => Assert.Equal(400, Landed().Count), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
                await ingestion.DrainAndShutdownAsync();
                await ingestion.Completion;
            }

            // The same topic name, a new incarnation: 100 events at offsets the lake holds already.
            using var after = new EmbeddedKafka(brokers: 1);
            after.CreateTopic("events", partitions: 2);
            await KafkaFixture.ProduceAsync(after.BootstrapServers, "events", Enumerable.Range(0, 100).Select(i => Records.Purchase($"new{i}", "s")));
            var again = KafkaFixture.RunIngestion(Consumer(after), Lake, Materializer);

            var error = await Assert.ThrowsAsync<Me3Exception>(() => again.Completion.WaitAsync(TimeSpan.FromSeconds(60)));

            var landedBefore = Landed();
            Assert.Equal("events", error.SourceName);
            var partition = error.Partition!.Value;
            var held = landedBefore.Where(p => p.Partition == partition).Max(p => p.Offset);
            Assert.Equal(held, error.Offset);
            Assert.Matches($@"holds topic 'events' partition {partition} up to offset {held:N0}, but the partition ends at offset \d+: the topic was deleted and re-created, or this is another cluster\.", error.Message);
            Assert.Contains("new lake", error.Message);
            Assert.Equal(400, landedBefore.Count); // nothing of the new topic landed, nothing of it was skipped as landed
            Assert.Equal(0, again.RowsLanded);
            await again.Control.Stopped.WaitAsync(TimeSpan.FromSeconds(30));
        }, timeout: TimeSpan.FromSeconds(150));
    }
}
