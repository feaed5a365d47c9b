using System.CommandLine;
using Me3.Samples.Support;
using Me3.Streams;
using Me3.Streams.Kafka;

namespace Me3.Samples.Commands;

/// <summary><c>kafka serve</c>: runs the embedded development broker, optionally filled with generated events.</summary>
internal static class KafkaCommand
{
    public static Command Create()
    {
        var brokers = new Option<int>("--brokers") { Description = "Broker count.", DefaultValueFactory = _ => 3 }.InRange(1, 32);
        var topic = new Option<string>("--topic") { Description = "Topic to create.", DefaultValueFactory = _ => "events" };
        var partitions = new Option<int>("--partitions") { Description = "Its partitions.", DefaultValueFactory = _ => 4 }.InRange(1, 10_000);
        var produce = new Option<long>("--produce") { Description = "Generated events to publish to it first.", DefaultValueFactory = _ => 0 }.InRange(0, long.MaxValue);
        topic.Validators.Add(r =>
        {
            var name = r.GetValueOrDefault<string>();
            if (string.IsNullOrEmpty(name) || name.Length > 249 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
            {
                r.AddError($"--topic '{name}' is not a valid topic name: use 1 to 249 of [A-Za-z0-9._-].");
            }
        });
        var serve = new Command("serve", "Run librdkafka's in-memory mock cluster on 127.0.0.1 until SIGINT/SIGTERM. NOT DURABLE: development only.")
        {
            brokers, topic, partitions, produce,
        };
        serve.SetAction(async (r, ct) =>
        {
            EmbeddedKafka kafka;
            try
            {
                kafka = new EmbeddedKafka(r.GetValue(brokers));
                kafka.CreateTopic(r.GetValue(topic)!, r.GetValue(partitions), Math.Min(3, r.GetValue(brokers)));
            }
            catch (Me3Exception e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }

            using var owned = kafka;
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
