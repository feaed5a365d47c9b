using Akka.Streams.TestKit;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Me3.Tests.Kafka;

[Collection(KafkaSpecs.Name)]
public sealed class KafkaIngestionSpec(KafkaFixture fixture, ITestOutputHelper output) : LakeSpec
{
    private static readonly string[] AllTables = ["purchases", "gjoins", "other_events", "dead_letters"];

    /// <summary>Long enough for a few Kafka phases (group joins, a rebalance, an outage) on a busy machine.</summary>
    private static readonly TimeSpan SpecTimeout = TimeSpan.FromSeconds(150);

    private static IEnumerable<string> Events(int count, int from = 0) =>
        Enumerable.Range(from, count).Select(i => i % 50 == 7 ? "{broken json " + i : Records.Purchase($"u{i}", "s"));

    private LakeSettings Lake => Settings(batchRecords: 300).WithBatchBounds(300, 8L << 20, TimeSpan.FromMilliseconds(300));

    private Task RowsLandedAsync(int atLeast, int seconds = 60) =>
        AwaitAssertAsync(() => Assert.True(Landed().Rows >= atLeast, $"{Landed().Rows} of {atLeast} rows landed"), TimeSpan.FromSeconds(seconds), TimeSpan.FromMilliseconds(100));

    private (int Rows, int Distinct) Landed()
    {
        using var duck = new DuckLake(Temp.Lake);
        var positions = duck.Positions(AllTables);
        return (positions.Count, positions.Distinct().Count());
    }

    [Fact]
    public async Task Kafka_ingestion_must_land_every_message_once_and_leave_committed_offsets_at_the_end_after_drain()
    {
        await StreamSpecAsync(async () =>
        {
            var topic = fixture.NewTopic(partitions: 4);
            var group = KafkaFixture.NewGroup("drain");
            await fixture.ProduceAsync(topic, Events(2000));

            var ingestion = KafkaFixture.RunIngestion(fixture.Consumer(topic, group), Lake, Materializer);
            await RowsLandedAsync(2000);
            await ingestion.DrainAndShutdownAsync();
            var summary = await ingestion.Completion;
            await ingestion.Control.Stopped;

            Assert.Equal((2000, 2000), Landed());
            Assert.Equal(2000, summary.RowsLanded);
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(40, duck.Count("dead_letters"));
            var committed = fixture.Committed(topic, group, 4);
            Assert.Equal(2000, committed.Values.Sum());
        }, timeout: SpecTimeout);
    }

    [Fact]
    public async Task An_abrupt_stop_without_commit_then_a_restart_must_land_every_message_exactly_once()
    {
        await StreamSpecAsync(async () =>
        {
            var topic = fixture.NewTopic(partitions: 4);
            var group = KafkaFixture.NewGroup("abrupt");
            await fixture.ProduceAsync(topic, Events(3000));

            var ingestion = KafkaFixture.RunIngestion(fixture.Consumer(topic, group).WithMaxBufferedRecords(200), Lake, Materializer);
            await RowsLandedAsync(300);
            await ingestion.Control.ShutdownAsync(); // no drain: what is buffered is neither landed nor committed
            // The consumer is gone, so the stream ends: what it still lands cannot be committed, and it says so.
            var stopped = await Assert.ThrowsAsync<Me3.Streams.Me3Exception>(() => ingestion.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("consumer is closed", stopped.Message);
            output.WriteLine($"after the stop: {Landed()}");

            var again = KafkaFixture.RunIngestion(fixture.Consumer(topic, group), Lake, Materializer);
            await RowsLandedAsync(3000);
            await again.DrainAndShutdownAsync();
            await again.Completion;

            Assert.Equal((3000, 3000), Landed());
        }, timeout: SpecTimeout);
    }

    [Fact]
    public async Task Two_consumers_in_one_group_with_a_rebalance_mid_stream_must_land_every_message_exactly_once()
    {
        await StreamSpecAsync(async () =>
        {
            var topic = fixture.NewTopic(partitions: 4);
            var group = KafkaFixture.NewGroup("rebalance");
            await fixture.ProduceAsync(topic, Events(3000));

            var first = KafkaFixture.RunIngestion(fixture.Consumer(topic, group), Lake, Materializer);
            await RowsLandedAsync(500);
            var second = KafkaFixture.RunIngestion(fixture.Consumer(topic, group), Lake, Materializer); // rebalance
            await fixture.ProduceAsync(topic, Events(3000, from: 3000));
            await RowsLandedAsync(6000, seconds: 90);
            await Task.WhenAll(first.DrainAndShutdownAsync(), second.DrainAndShutdownAsync());
            await Task.WhenAll(first.Completion, second.Completion);

            Assert.Equal((6000, 6000), Landed());
        }, timeout: SpecTimeout);
    }

    [Fact]
    public async Task A_broker_going_down_and_up_mid_stream_must_not_lose_or_duplicate_anything()
    {
        await StreamSpecAsync(async () =>
        {
            var topic = fixture.NewTopic(partitions: 4);
            await fixture.ProduceAsync(topic, Events(1500));

            var ingestion = KafkaFixture.RunIngestion(fixture.Consumer(topic, KafkaFixture.NewGroup("broker-down")), Lake, Materializer);
            await RowsLandedAsync(300);
            var leader = fixture.Leader(topic, 0);
            try
            {
                // Consumer and producer both lose the leader of partition 0 while these are in flight; the mock
                // cluster elects no new leader, so they wait for it to come back. It comes back once the consumer,
                // fetching from it, has seen it go.
                var before = ingestion.Control.LastWarning;
                fixture.Kafka.BrokerDown(leader);
                var producing = fixture.ProduceAsync(topic, Events(1500, from: 1500));
                await AwaitAssertAsync(() => Assert.NotEqual(before, ingestion.Control.LastWarning), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
                output.WriteLine($"the consumer saw broker {leader} go: {ingestion.Control.LastWarning}");
                fixture.Kafka.BrokerUp(leader);
                await producing.WaitAsync(TimeSpan.FromSeconds(60));
            }
            finally
            {
                fixture.Kafka.BrokerUp(leader);
            }

            await RowsLandedAsync(3000, seconds: 90);
            await ingestion.DrainAndShutdownAsync();
            await ingestion.Completion;

            Assert.Equal((3000, 3000), Landed());
        }, timeout: SpecTimeout);
    }
}

/// <summary>Every broker of its cluster goes down: a cluster of its own, so that the shared one stays whole.</summary>
public sealed class KafkaOutageIngestionSpec(ITestOutputHelper output) : LakeSpec
{
    [Fact]
    public async Task Every_broker_going_down_mid_stream_must_not_fail_the_ingestion_and_lose_or_duplicate_nothing()
    {
        await StreamSpecAsync(async () =>
        {
            var t0 = System.Diagnostics.Stopwatch.StartNew();
            using var kafka = new Me3.Streams.Kafka.EmbeddedKafka(brokers: 2);
            kafka.CreateTopic("outage", partitions: 2, replicationFactor: 2);
            await KafkaFixture.ProduceAsync(kafka.BootstrapServers, "outage", Enumerable.Range(0, 1000).Select(i => Records.Purchase($"u{i}", "s")));
            var consumer = new KafkaConsumerSettings(kafka.BootstrapServers, "outage", "outage").WithStopTimeout(TimeSpan.FromSeconds(20));
            var ingestion = KafkaFixture.RunIngestion(consumer, Settings(batchRecords: 100).WithBatchBounds(100, 8L << 20, TimeSpan.FromMilliseconds(200)), Materializer);
            await AwaitAssertAsync(() => Assert.True(Landed() >= 100), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));

            output.WriteLine($"first rows {t0.Elapsed}");
            var before = ingestion.Control.LastWarning;
            kafka.BrokerDown(1);
            kafka.BrokerDown(2);
            var producing = KafkaFixture.ProduceAsync(kafka.BootstrapServers, "outage", Enumerable.Range(1000, 1000).Select(i => Records.Purchase($"u{i}", "s")));

            // The consumer sees the cluster gone (some trouble is reported; which report is the last one varies) and
            // keeps trying: the ingestion does not fail.
            await AwaitAssertAsync(() => Assert.NotEqual(before, ingestion.Control.LastWarning), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
            output.WriteLine($"the consumer saw it: {ingestion.Control.LastWarning} {t0.Elapsed}");
            Assert.False(ingestion.Completion.IsCompleted, ingestion.Completion.Exception?.GetBaseException().Message);
            kafka.BrokerUp(1);
            kafka.BrokerUp(2);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await producing.WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"produced {clock.Elapsed}");

            await AwaitAssertAsync(() => Assert.Equal(2000, Landed()), TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(200));
            output.WriteLine($"landed {clock.Elapsed}");
            Assert.False(ingestion.Completion.IsCompleted, "the ingestion stopped during the outage");
            await ingestion.DrainAndShutdownAsync();
            await ingestion.Completion;
            output.WriteLine($"drained {clock.Elapsed}");
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(2000, duck.Positions("purchases").Distinct().Count());
        }, timeout: TimeSpan.FromSeconds(150));
    }

    private int Landed()
    {
        using var duck = new DuckLake(Temp.Lake);
        return duck.Positions("purchases").Count;
    }
}
