using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Me3.Streams;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Kafka;

/// <summary>
/// <see cref="Me3.Streams.Kafka.IKafkaControl"/>: a stop ends consuming but keeps the consumer open so the stream
/// lands and commits what it holds; a shutdown closes the consumer.
/// </summary>
[Collection(KafkaSpecs.Name)]
public sealed class KafkaControlSpec(KafkaFixture fixture) : LakeSpec
{
    private const int Records = 20_000;

    private LakeSettings Lake => Settings().WithBatchBounds(300, 8L << 20, TimeSpan.FromMilliseconds(300));

    private List<(int Partition, long Offset)> Positions()
    {
        using var duck = new DuckLake(Temp.Lake);
        return duck.Positions("purchases");
    }

    [Fact]
    public async Task Stop_must_end_consuming_and_leave_the_consumer_open_for_the_stream_to_land_and_commit_what_it_took()
    {
        await StreamSpecAsync(async () =>
        {
            var topic = fixture.NewTopic(partitions: 4);
            var group = KafkaFixture.NewGroup("stop");
            await fixture.ProduceAsync(topic, Enumerable.Range(0, Records).Select(i => Support.Records.Purchase($"u{i}", "s")));
            var consumer = fixture.Consumer(topic, group).WithMaxBufferedRecords(200);

            var ingestion = KafkaFixture.RunIngestion(consumer, Lake, Materializer);
            await AwaitAssertAsync(() => Assert.NotEmpty(Positions()), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50));
            await ingestion.Control.StopAsync();

            // The stream ends by itself: the source completed, the writer landed what it held, the committer committed it.
            var summary = await ingestion.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.False(ingestion.Control.Stopped.IsCompleted, "the stop closed the consumer");
            var landed = Positions();
            Assert.True(landed.Count < Records, "the stop came after everything was consumed: the spec proves nothing");
            Assert.Equal(landed.Count, summary.RowsLanded);
            Assert.Equal(landed.Count, fixture.Committed(topic, group, 4).Values.Where(o => o >= 0).Sum());

            await ingestion.Control.ShutdownAsync();
            await ingestion.Control.Stopped.WaitAsync(TimeSpan.FromSeconds(30));

            // What was not taken is read by the next start, and nothing twice.
            var again = KafkaFixture.RunIngestion(fixture.Consumer(topic, group), Lake, Materializer);
            await AwaitAssertAsync(() => Assert.Equal(Records, Positions().Count), TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(100));
            await again.DrainAndShutdownAsync();
            await again.Completion;
            Assert.Equal(Records, Positions().Distinct().Count());
        }, timeout: TimeSpan.FromSeconds(150));
    }

    [Fact]
    public async Task Shutdown_must_close_the_consumer_and_complete_the_source_after_which_nothing_can_be_committed()
    {
        await StreamSpecAsync(async () =>
        {
            var topic = fixture.NewTopic(partitions: 2);
            await fixture.ProduceAsync(topic, Enumerable.Range(0, 100).Select(i => Support.Records.Purchase($"u{i}", "s")));
            var (control, probe) = Me3Source.KafkaCommittable(fixture.Consumer(topic, KafkaFixture.NewGroup("shutdown")))
                .ToMaterialized(this.SinkProbe<RecordBlock>(), Keep.Both)
                .Run(Materializer);
            var block = await probe.RequestNextAsync(TimeSpan.FromSeconds(30));

            await control.ShutdownAsync();
            await control.Stopped.WaitAsync(TimeSpan.FromSeconds(30));
            await probe.ExpectCompleteAsync();

            var last = block.Records().Last();
            var committing = block.Committer!.CommitAsync([new CommittableOffset(last.Source, last.Partition, last.Offset + 1, block.Committer)], CancellationToken.None);
            await Assert.ThrowsAsync<Me3Exception>(() => committing.WaitAsync(TimeSpan.FromSeconds(30)));
        }, timeout: TimeSpan.FromSeconds(60));
    }
}
