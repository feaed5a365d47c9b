using Confluent.Kafka;
using Me3.Streams.Kafka;
using Xunit;

namespace Me3.Tests.Kafka;

public sealed class EmbeddedKafkaSpec
{
    [Fact]
    public async Task EmbeddedKafka_must_serve_real_clients_and_create_topics_with_a_chosen_partition_count()
    {
        using var kafka = new EmbeddedKafka(brokers: 3);
        kafka.CreateTopic("six", partitions: 6);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        var metadata = admin.GetMetadata("six", TimeSpan.FromSeconds(10));
        Assert.Equal(6, metadata.Topics.Single().Partitions.Count);
        Assert.Equal(3, metadata.Brokers.Count);

        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, Acks = Acks.All }).Build();
        var delivered = await producer.ProduceAsync(new TopicPartition("six", 5), new Message<Null, string> { Value = "hello" });
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers, GroupId = "g", AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Assign(new TopicPartitionOffset("six", 5, Offset.Beginning));
        var message = consumer.Consume(TimeSpan.FromSeconds(10));
        Assert.Equal("hello", message?.Message.Value);
    }
}
