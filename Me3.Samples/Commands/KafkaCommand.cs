using System.CommandLine;
using Confluent.Kafka;
using Me3.Samples.Generation;
using Me3.Streams.Kafka;

namespace Me3.Samples.Commands;

/// <summary><c>kafka serve</c>: runs the embedded development broker, optionally filled with generated events.</summary>
internal static class KafkaCommand
{
    public static Command Create()
    {
        var brokers = new Option<int>("--brokers") { Description = "Broker count.", DefaultValueFactory = _ => 3 };
        var topic = new Option<string>("--topic") { Description = "Topic to create.", DefaultValueFactory = _ => "events" };
        var partitions = new Option<int>("--partitions") { Description = "Its partitions.", DefaultValueFactory = _ => 4 };
        var produce = new Option<long>("--produce") { Description = "Generated events to publish to it first.", DefaultValueFactory = _ => 0 };
        var serve = new Command("serve", "Run librdkafka's in-memory mock cluster on 127.0.0.1 until SIGINT/SIGTERM. NOT DURABLE: development only.")
        {
            brokers, topic, partitions, produce,
        };
        serve.SetAction(async (r, ct) =>
        {
            using var kafka = new EmbeddedKafka(r.GetValue(brokers));
            kafka.CreateTopic(r.GetValue(topic)!, r.GetValue(partitions), Math.Min(3, r.GetValue(brokers)));
            await Console.Error.WriteLineAsync("WARNING: embedded Kafka (librdkafka mock cluster): in memory, not durable, for development only.");
            Console.WriteLine($"bootstrap: {kafka.BootstrapServers}");
            if (r.GetValue(produce) > 0)
            {
                await ProduceAsync(kafka.BootstrapServers, r.GetValue(topic)!, r.GetValue(produce));
            }

            await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            return 0;
        });
        return new Command("kafka", "Development Kafka tools.") { serve };
    }

    private static async Task ProduceAsync(string bootstrap, string topic, long count)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap, Acks = Acks.All, EnableIdempotence = true, LingerMs = 5,
        }).Build();
        var generator = new GameEventGenerator(seed: 42);
        using var buffer = new MemoryStream();
        for (long i = 0; i < count; i++)
        {
            buffer.SetLength(0);
            using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                generator.WriteEvent(json, i);
            }

            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<Null, byte[]> { Value = buffer.ToArray() });
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }

        producer.Flush();
        Console.WriteLine($"produced {count:N0} events to {topic}");
    }
}
