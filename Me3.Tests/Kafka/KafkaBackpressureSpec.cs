using System.Diagnostics.Metrics;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Me3.Streams;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Kafka;

/// <summary>
/// The Kafka source holds a bounded number of records while nobody takes them: past a while it pauses its partitions
/// (Kafka sends nothing more) and resumes them when records are taken again, losing and duplicating nothing.
/// Both are read from the library's own gauges, as an operator would.
/// </summary>
[Collection(KafkaSpecs.Name)]
public sealed class KafkaBackpressureSpec(KafkaFixture fixture) : LakeSpec
{
    private const int Records = 3000;
    private const int Partitions = 4;
    private const int MaxBuffered = 100;

    /// <summary>One poll hands on at most this many records.</summary>
    private const int PollBatch = 512;

    /// <summary>The value of each partition's gauge <paramref name="name"/> for <paramref name="topic"/> (and
    /// <paramref name="group"/>, where the gauge has one).</summary>
    private static Dictionary<int, long> Gauge(string name, string topic, string group)
    {
        var values = new Dictionary<int, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Me3Metrics.MeterName && instrument.Name == name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };

        void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
            if (Equals(labels["topic"], topic) && (!labels.TryGetValue("group", out var g) || Equals(g, group)))
            {
                values[(int)labels["partition"]!] = value;
            }
        }

        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Record(value, tags));
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) => Record(value, tags));
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    /// <summary>How many records the consumer took from Kafka: per partition, its end less the consumer's lag.</summary>
    private static long TakenFromKafka(string topic, string group)
    {
        var ends = Gauge("me3_kafka_end_offset", topic, group);
        return Gauge("me3_kafka_consumer_lag", topic, group).Sum(l => ends[l.Key] - l.Value);
    }

    private static void AssertPaused(string topic, string group, bool paused)
    {
        var states = Gauge("me3_kafka_consumer_paused", topic, group);
        Assert.Equal(Partitions, states.Count);
        Assert.All(states.Values, v => Assert.Equal(paused ? 1 : 0, v));
    }

    [Fact]
    public async Task A_source_without_demand_must_pause_its_partitions_then_resume_them_when_asked_losing_and_duplicating_nothing()
    {
        await StreamSpecAsync(async () =>
        {
            var topic = fixture.NewTopic(Partitions);
            var group = KafkaFixture.NewGroup("backpressure");
            await fixture.ProduceAsync(topic, Enumerable.Range(0, Records).Select(i => Support.Records.Purchase($"u{i}", "s")));
            var (control, probe) = Me3Source.KafkaCommittable(fixture.Consumer(topic, group).WithMaxBufferedRecords(MaxBuffered))
                .ToMaterialized(this.SinkProbe<RecordBlock>(), Keep.Both)
                .Run(Materializer);
            var received = new List<(int Partition, long Offset)>();

            var first = await probe.RequestNextAsync(TimeSpan.FromSeconds(30));
            received.AddRange(first.Records().Select(r => (r.Partition, r.Offset)));

            // No more demand: the source fills its buffer, stops taking records, and then pauses its partitions.
            await AwaitAssertAsync(() => AssertPaused(topic, group, paused: true), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
            Assert.InRange(TakenFromKafka(topic, group), first.Count, first.Count + MaxBuffered + 2 * PollBatch);

            // Asked again, it resumes and hands on the rest.
            while (received.Count < Records)
            {
                var block = await probe.RequestNextAsync(TimeSpan.FromSeconds(30));
                received.AddRange(block.Records().Select(r => (r.Partition, r.Offset)));
            }

            await AwaitAssertAsync(() => AssertPaused(topic, group, paused: false), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
            Assert.Equal(Records, received.Count);
            Assert.Equal(Records, received.Distinct().Count());
            await control.DrainAndShutdownAsync(Task.CompletedTask);
            await probe.ExpectCompleteAsync();
        }, timeout: TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task A_held_lake_writer_must_pause_the_partitions_and_its_release_resume_them_landing_everything_once()
    {
        await StreamSpecAsync(async () =>
        {
            var topic = fixture.NewTopic(Partitions);
            var group = KafkaFixture.NewGroup("held-writer");
            await fixture.ProduceAsync(topic, Enumerable.Range(0, Records).Select(i => Support.Records.Purchase($"u{i}", "s")));
            var lake = Settings().WithBatchBounds(100, 8L << 20, TimeSpan.FromMilliseconds(300));
            var lander = new GatedLander(lake);

            var (control, done) = Me3Source.KafkaCommittable(fixture.Consumer(topic, group).WithMaxBufferedRecords(MaxBuffered))
                .Via(LakeIngest.Flow(lake, lander, LakeIngest.DecodeParallelism))
                .ToMaterialized(Me3Sink.CommitToKafka(CommitterSettings.Default), Keep.Both)
                .Run(Materializer);

            await lander.FirstWrite.WaitAsync(TimeSpan.FromSeconds(30));
            await AwaitAssertAsync(() => AssertPaused(topic, group, paused: true), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
            Assert.True(TakenFromKafka(topic, group) < Records, "the consumer took every record while the writer was held");
            Assert.Empty(Temp.ParquetFiles("purchases"));

            lander.Release();
            await AwaitAssertAsync(() =>
            {
                using var duck = new DuckLake(Temp.Lake);
                Assert.Equal(Records, duck.Positions("purchases").Count);
                AssertPaused(topic, group, paused: false);
            }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
            await control.DrainAndShutdownAsync(done);
            await done;

            using var check = new DuckLake(Temp.Lake);
            Assert.Equal(Records, check.Positions("purchases").Distinct().Count());
            Assert.Equal(Records, fixture.Committed(topic, group, Partitions).Values.Sum());
        }, timeout: TimeSpan.FromSeconds(90));
    }
}
