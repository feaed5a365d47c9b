using System.Diagnostics;
using Confluent.Kafka;
using Me3.Samples.Generation;

namespace Me3.Samples.Support;

/// <summary>Publishes generated game events to a topic as fast as the brokers take them (acks=all, idempotent).</summary>
internal static class EventProducer
{
    /// <summary>Produces <paramref name="count"/> events; returns the seconds it took, flush included.</summary>
    public static double Produce(string bootstrap, string topic, long count)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap, Acks = Acks.All, EnableIdempotence = true, LingerMs = 5,
        }).Build();
        var generator = new GameEventGenerator(seed: 42);
        using var buffer = new MemoryStream();
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < count; i++)
        {
            buffer.SetLength(0);
            using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                generator.WriteEvent(json);
            }

            var value = buffer.ToArray();
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<Null, byte[]> { Value = value });
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(20)); // the local queue is bounded: wait for deliveries
                }
            }
        }

        producer.Flush();
        return clock.Elapsed.TotalSeconds;
    }
}
