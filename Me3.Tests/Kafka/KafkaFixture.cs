using System.Text;
using Akka.Streams;
using Confluent.Kafka;
using Me3.Streams.Dsl;
using Me3.Streams.Kafka;
using Me3.Streams.Settings;
using Xunit;

namespace Me3.Tests.Kafka;

/// <summary>
/// One embedded Kafka cluster for the specs of the <see cref="KafkaSpecs"/>: they run one at a time, each on
/// topics and groups of its own, so one may take a broker down and up again without disturbing another.
/// </summary>
public sealed class KafkaFixture : IDisposable
{
    internal EmbeddedKafka Kafka { get; } = new(brokers: 3);

    /// <summary>A topic no other spec uses.</summary>
    public string NewTopic(int partitions = 4, int replicationFactor = 3)
    {
        var topic = "t" + Guid.NewGuid().ToString("N")[..10];
        Kafka.CreateTopic(topic, partitions, replicationFactor);
        return topic;
    }

    /// <summary>A consumer group no other spec uses.</summary>
    public static string NewGroup(string name) => name + "-" + Guid.NewGuid().ToString("N")[..6];

    public Task ProduceAsync(string topic, IEnumerable<string> values) => ProduceAsync(Kafka.BootstrapServers, topic, values);

    public static async Task ProduceAsync(string bootstrap, string topic, IEnumerable<string> values)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap, Acks = Acks.All, EnableIdempotence = true, LingerMs = 2,
        }).Build();
        var key = 0;
        var pending = values.Select(v => producer.ProduceAsync(topic, new Message<byte[]?, byte[]>
        {
            Key = Encoding.UTF8.GetBytes((key++).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Value = Encoding.UTF8.GetBytes(v),
        })).ToArray();
        await Task.WhenAll(pending);
    }

    public KafkaConsumerSettings Consumer(string topic, string group) =>
        new KafkaConsumerSettings(Kafka.BootstrapServers, group, topic).WithStopTimeout(TimeSpan.FromSeconds(20));

    /// <summary>Committed offsets of a group, per partition (-1001 when none).</summary>
    public Dictionary<int, long> Committed(string topic, string group, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = Kafka.BootstrapServers, GroupId = group }).Build();
        return consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10))
            .ToDictionary(o => o.Partition.Value, o => o.Offset.Value);
    }

    /// <summary>The broker leading a partition.</summary>
    public int Leader(string topic, int partition)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Kafka.BootstrapServers }).Build();
        return admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Single(p => p.PartitionId == partition).Leader;
    }

    public static KafkaIngestion RunIngestion(KafkaConsumerSettings consumer, LakeSettings lake, IMaterializer materializer) =>
        Me3Graph.KafkaToLake(consumer, lake, CommitterSettings.Default.WithMaxInterval(TimeSpan.FromMilliseconds(200))).Run(materializer);

    public void Dispose() => Kafka.Dispose();
}

/// <summary>
/// The specs that share one embedded cluster (<see cref="KafkaFixture"/>). xunit runs a collection's specs one after
/// another, and other collections beside it: topic and group names are unique per spec.
/// </summary>
[CollectionDefinition(Name)]
public sealed class KafkaSpecs : ICollectionFixture<KafkaFixture>
{
    public const string Name = "Kafka";
}
