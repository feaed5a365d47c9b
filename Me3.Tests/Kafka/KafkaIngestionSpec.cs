using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Me3.Tests.Kafka;

public sealed class KafkaIngestionSpec(KafkaFixture fixture, ITestOutputHelper output) : LakeSpec, IClassFixture<KafkaFixture>
{
    private static readonly string[] AllTables = ["purchases", "gjoins", "other_events", "dead_letters"];

    private static IEnumerable<string> Events(int count, int from = 0) =>
        Enumerable.Range(from, count).Select(i => i % 50 == 7 ? "{broken json " + i : Records.Purchase($"u{i}", "s"));

    private LakeSettings Lake => Settings(batchRecords: 300).WithBatchBounds(300, 8L << 20, TimeSpan.FromMilliseconds(300));

    private async Task WaitForRowsAsync(long rows, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            using (var duck = new DuckLake(Temp.Lake))
            {
                if (duck.Positions(AllTables).Count >= rows)
                {
                    return;
                }
            }

            await Task.Delay(50, cts.Token);
        }
    }

    private (int Rows, int Distinct) Landed()
    {
        using var duck = new DuckLake(Temp.Lake);
        var positions = duck.Positions(AllTables);
        return (positions.Count, positions.Distinct().Count());
    }

    [Fact]
    public async Task Kafka_ingestion_must_land_every_message_once_and_leave_committed_offsets_at_the_end_after_drain()
    {
        var topic = fixture.NewTopic(partitions: 4);
        await fixture.ProduceAsync(topic, Events(2000));

        var ingestion = KafkaFixture.RunIngestion(fixture.Consumer(topic, "g1"), Lake, Materializer);
        await WaitForRowsAsync(2000, TimeSpan.FromSeconds(60));
        await ingestion.DrainAndShutdownAsync();
        await ingestion.Completion;
        await ingestion.Control.Stopped;

        Assert.Equal((2000, 2000), Landed());
        using var duck = new DuckLake(Temp.Lake);
        Assert.Equal(40, duck.Count("dead_letters"));
        var committed = fixture.Committed(topic, "g1", 4);
        Assert.Equal(2000, committed.Values.Sum());
        await this.AssertAllStagesStoppedAsync(Materializer);
    }

    [Fact]
    public async Task An_abrupt_stop_without_commit_then_a_restart_must_land_every_message_exactly_once()
    {
        var topic = fixture.NewTopic(partitions: 4);
        await fixture.ProduceAsync(topic, Events(3000));

        var ingestion = KafkaFixture.RunIngestion(fixture.Consumer(topic, "g2").WithMaxBufferedRecords(200), Lake, Materializer);
        await WaitForRowsAsync(300, TimeSpan.FromSeconds(60));
        await ingestion.Control.ShutdownAsync(); // no drain: what is buffered is neither landed nor committed
        // The consumer is gone, so the stream ends: what it still lands cannot be committed, and it says so.
        var stopped = await Assert.ThrowsAsync<Me3.Streams.Me3Exception>(() => ingestion.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("consumer is closed", stopped.Message);
        output.WriteLine($"after the stop: {Landed()}");

        var again = KafkaFixture.RunIngestion(fixture.Consumer(topic, "g2"), Lake, Materializer);
        await WaitForRowsAsync(3000, TimeSpan.FromSeconds(60));
        await again.DrainAndShutdownAsync();

        Assert.Equal((3000, 3000), Landed());
    }

    [Fact]
    public async Task Two_consumers_in_one_group_with_a_rebalance_mid_stream_must_land_every_message_exactly_once()
    {
        var topic = fixture.NewTopic(partitions: 4);
        await fixture.ProduceAsync(topic, Events(3000));

        var first = KafkaFixture.RunIngestion(fixture.Consumer(topic, "g3"), Lake, Materializer);
        await WaitForRowsAsync(500, TimeSpan.FromSeconds(60));
        var second = KafkaFixture.RunIngestion(fixture.Consumer(topic, "g3"), Lake, Materializer); // rebalance
        await fixture.ProduceAsync(topic, Events(3000, from: 3000));
        await WaitForRowsAsync(6000, TimeSpan.FromSeconds(90));
        await Task.WhenAll(first.DrainAndShutdownAsync(), second.DrainAndShutdownAsync());

        Assert.Equal((6000, 6000), Landed());
    }

    [Fact]
    public async Task A_broker_going_down_and_up_mid_stream_must_not_lose_or_duplicate_anything()
    {
        var topic = fixture.NewTopic(partitions: 4);
        await fixture.ProduceAsync(topic, Events(1500));

        var ingestion = KafkaFixture.RunIngestion(fixture.Consumer(topic, "g4"), Lake, Materializer);
        await WaitForRowsAsync(300, TimeSpan.FromSeconds(60));
        fixture.Kafka.BrokerDown(1);
        // Consumer and producer both lose broker 1 (a partition leader) while these are in flight; the mock cluster
        // elects no new leader, so they wait for it to come back.
        var producing = fixture.ProduceAsync(topic, Events(1500, from: 1500));
        await Task.Delay(TimeSpan.FromSeconds(2));
        fixture.Kafka.BrokerUp(1);
        await producing.WaitAsync(TimeSpan.FromSeconds(60));
        await WaitForRowsAsync(3000, TimeSpan.FromSeconds(90));
        await ingestion.DrainAndShutdownAsync();

        Assert.Equal((3000, 3000), Landed());
    }
}

public sealed class KafkaOutageIngestionSpec(ITestOutputHelper output) : LakeSpec
{
    [Fact]
    public async Task Every_broker_going_down_mid_stream_must_not_fail_the_ingestion_and_lose_or_duplicate_nothing()
    {
        // Its own cluster: taking every broker down must not disturb other specs.
        using var kafka = new Me3.Streams.Kafka.EmbeddedKafka(brokers: 2);
        kafka.CreateTopic("outage", partitions: 2, replicationFactor: 2);
        await KafkaFixture.ProduceAsync(kafka.BootstrapServers, "outage", Enumerable.Range(0, 1000).Select(i => Records.Purchase($"u{i}", "s")));
        var consumer = new KafkaConsumerSettings(kafka.BootstrapServers, "outage", "outage").WithStopTimeout(TimeSpan.FromSeconds(20));
        var ingestion = KafkaFixture.RunIngestion(consumer, Settings(batchRecords: 100).WithBatchBounds(100, 8L << 20, TimeSpan.FromMilliseconds(200)), Materializer);
        await AwaitAssertAsync(() => Assert.True(Landed() >= 100), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));

        kafka.BrokerDown(1);
        kafka.BrokerDown(2);
        var producing = KafkaFixture.ProduceAsync(kafka.BootstrapServers, "outage", Enumerable.Range(1000, 1000).Select(i => Records.Purchase($"u{i}", "s")));
        await Task.WhenAny(ingestion.Completion, Task.Delay(TimeSpan.FromSeconds(3)));
        Assert.False(ingestion.Completion.IsFaulted, ingestion.Completion.Exception?.GetBaseException().Message);
        kafka.BrokerUp(1);
        kafka.BrokerUp(2);
        await producing.WaitAsync(TimeSpan.FromSeconds(60));

        await AwaitAssertAsync(() => Assert.Equal(2000, Landed()), TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(200));
        Assert.False(ingestion.Completion.IsCompleted, "the ingestion stopped during the outage");
        await ingestion.DrainAndShutdownAsync();
        await ingestion.Completion;
        using var duck = new DuckLake(Temp.Lake);
        Assert.Equal(2000, duck.Positions("purchases").Distinct().Count());
        output.WriteLine($"landed {Landed()}");
    }

    private int Landed()
    {
        using var duck = new DuckLake(Temp.Lake);
        return duck.Positions("purchases").Count;
    }
}

public sealed class KafkaBackpressureSpec(KafkaFixture fixture) : LakeSpec, IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task A_stalled_sink_must_pause_the_partitions_then_resume_losing_and_duplicating_nothing()
    {
        var topic = fixture.NewTopic(partitions: 4);
        await fixture.ProduceAsync(topic, Enumerable.Range(0, 3000).Select(i => Records.Purchase($"u{i}", "s")));
        var lake = Settings(batchRecords: 100).WithMaxBufferedBytes(8L << 20);
        var lander = new GatedLander(lake, held: 1);
        var consumer = fixture.Consumer(topic, "bp").WithMaxBufferedRecords(100);

        var (control, done) = Me3.Streams.Dsl.Me3Source.KafkaCommittable(consumer)
            .Via(Me3.Streams.Lake.LakeIngest.Flow(lake, lander, Me3.Streams.Lake.LakeIngest.DecodeParallelism))
            .ToMaterialized(Me3.Streams.Dsl.Me3Sink.CommitToKafka(CommitterSettings.Default), Akka.Streams.Dsl.Keep.Both)
            .Run(Materializer);

        // The first write is held for longer than the source waits before pausing its partitions.
        await lander.FirstWrite.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2));
        lander.Release();

        await AwaitConditionAsync(() =>
        {
            using var duck = new DuckLake(Temp.Lake);
            return Task.FromResult(duck.Positions("purchases").Count >= 3000);
        }, TimeSpan.FromSeconds(60));
        await control.DrainAndShutdownAsync(done);

        using var check = new DuckLake(Temp.Lake);
        var positions = check.Positions("purchases");
        Assert.Equal(3000, positions.Count);
        Assert.Equal(3000, positions.Distinct().Count());
    }
}
