using System.Text;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Me3.Streams.Kafka;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Kafka;

public sealed class KafkaProducerSpec(KafkaFixture fixture) : LakeSpec, IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Producer_flow_must_emit_an_acknowledged_result_per_message_in_order()
    {
        var topic = fixture.NewTopic(partitions: 4);
        using var producer = new KafkaProducer(new KafkaProducerSettings(fixture.Kafka.BootstrapServers));

        var results = await Source.From(Enumerable.Range(0, 500))
            .Select(i => new ProducerMessage<int>(topic, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}"), i))
            .Via(producer.Flow<int>())
            .RunWith(Sink.Seq<ProducerResult<int>>(), Materializer);

        Assert.Equal(Enumerable.Range(0, 500), results.Select(r => r.Message.PassThrough));
        Assert.All(results, r => Assert.True(r.Delivered));
        Assert.Equal(500, results.Select(r => (r.Offset!.Partition.Value, r.Offset.Offset.Value)).Distinct().Count());

        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = fixture.Kafka.BootstrapServers, GroupId = "probe" }).Build();
        var total = Enumerable.Range(0, 4).Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
        Assert.Equal(500, total);
    }

    [Fact]
    public async Task Producer_flow_must_answer_with_an_error_result_when_kafka_cannot_acknowledge()
    {
        using var kafka = new EmbeddedKafka(brokers: 1);
        kafka.CreateTopic("down", partitions: 1);
        using var producer = new KafkaProducer(new KafkaProducerSettings(kafka.BootstrapServers).WithDeliveryTimeout(TimeSpan.FromSeconds(2)));
        var warm = await producer.ProduceAsync(new ProducerMessage<int>("down", null, [1], 0));
        Assert.True(warm.Delivered);

        kafka.BrokerDown(1);
        var results = await Source.From(Enumerable.Range(1, 3))
            .Select(i => new ProducerMessage<int>("down", null, [(byte)i], i))
            .Via(producer.Flow<int>())
            .RunWith(Sink.Seq<ProducerResult<int>>(), Materializer);

        Assert.All(results, r => Assert.False(r.Delivered));
        Assert.All(results, r => Assert.Contains("did not acknowledge", r.Error!.Message));
    }
}
