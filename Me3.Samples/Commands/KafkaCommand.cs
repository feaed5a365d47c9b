using System.CommandLine;
using Me3.Samples.Support;
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
                var seconds = await Task.Run(() => EventProducer.Produce(kafka.BootstrapServers, r.GetValue(topic)!, r.GetValue(produce)), ct);
                Console.WriteLine($"produced {r.GetValue(produce):N0} events to {r.GetValue(topic)} in {seconds:F1} s");
            }

            await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            return 0;
        });
        return new Command("kafka", "Development Kafka tools.") { serve };
    }
}
