using System.Diagnostics;
using System.Globalization;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Me3.Samples.Support;
using Me3.Streams.Dsl;
using Me3.Streams.Kafka;
using Me3.Streams.Settings;

namespace Me3.Samples.Commands;

/// <summary>
/// <c>bench kafka</c>: the consume-and-land rate of the ingestion graph against the raw read rate of a plain
/// Confluent consumer loop, both from the same embedded broker and topic, in the same run.
/// </summary>
internal static class KafkaBench
{
    public static int Run(int messages, int partitions, int rounds)
    {
        using var kafka = new EmbeddedKafka(brokers: 3);
        kafka.CreateTopic("events", partitions, replicationFactor: 1);
        var produceSeconds = EventProducer.Produce(kafka.BootstrapServers, "events", messages);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"produced {messages:N0} events to {partitions} partitions in {produceSeconds:F2} s ({messages / produceSeconds:N0}/s, acks=all, idempotent)"));
        var produced = messages;
        messages = Available(kafka.BootstrapServers, partitions);
        if (messages < produced)
        {
            Console.WriteLine($"the embedded broker kept {messages:N0} of them (it keeps ~5 MB per partition); both consumers read those");
        }

        var raw = new List<Phase>();
        var landed = new List<Phase>();
        for (var round = 0; round < rounds; round++)
        {
            // Alternate who goes first; each phase's CPU and peak RSS are the whole process's (the embedded broker
            // serves both alike).
            if (round % 2 == 0)
            {
                raw.Add(Measure(() => RawConsume(kafka.BootstrapServers, messages, $"raw-{round}")));
                landed.Add(Measure(() => ConsumeAndLand(kafka.BootstrapServers, messages, $"land-{round}")));
            }
            else
            {
                landed.Add(Measure(() => ConsumeAndLand(kafka.BootstrapServers, messages, $"land-{round}")));
                raw.Add(Measure(() => RawConsume(kafka.BootstrapServers, messages, $"raw-{round}")));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: raw consumer {messages / raw[^1].Seconds:N0} msg/s ({raw[^1]}) | consume-and-land {messages / landed[^1].Seconds:N0} msg/s ({landed[^1]})"));
        }

        var r = Phase.Median(raw);
        var l = Phase.Median(landed);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: raw {messages / r.Seconds:N0} msg/s ({r}), consume-and-land {messages / l.Seconds:N0} msg/s ({l}): {r.Seconds / l.Seconds:P0} of the raw rate (target >= 80%)"));
        BenchSummary.Add(
            string.Create(CultureInfo.InvariantCulture, $"bench kafka, {messages:N0} messages, {partitions} partitions"),
            string.Create(CultureInfo.InvariantCulture, $"consume-and-land {messages / l.Seconds:N0} msg/s, {l.Cpu:F2} CPU-s"),
            string.Create(CultureInfo.InvariantCulture, $"raw consumer {messages / r.Seconds:N0} msg/s, {r.Cpu:F2} CPU-s"),
            string.Create(CultureInfo.InvariantCulture, $"{r.Seconds / l.Seconds:F2}×"),
            BenchSummary.Target("≥ 0.8× the raw consumer", r.Seconds / l.Seconds >= 0.8));
        return 0;
    }

    private static Phase Measure(Func<double> run)
    {
        ProcessStats.ResetPeakRss();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var seconds = run();
        return new Phase(seconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, (ProcessStats.PeakRssBytes() ?? 0) / 1048576.0);
    }

    /// <summary>One phase: seconds from the first record to the last (read, or landed), the process's CPU seconds
    /// over the whole phase (group join included), and its peak resident memory.</summary>
    private sealed record Phase(double Seconds, double Cpu, double PeakMb)
    {
        public static Phase Median(List<Phase> phases) => new(
            MedianOf(phases.Select(p => p.Seconds)), MedianOf(phases.Select(p => p.Cpu)), MedianOf(phases.Select(p => p.PeakMb)));

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Seconds:F2} s, {Cpu:F2} CPU-s, {PeakMb:F0} MiB");

        private static double MedianOf(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }

    private static int Available(string bootstrap, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "probe" }).Build();
        return (int)Enumerable.Range(0, partitions)
            .Select(p => consumer.QueryWatermarkOffsets(new TopicPartition("events", p), TimeSpan.FromSeconds(10)))
            .Sum(w => w.High.Value - w.Low.Value);
    }

    private static double RawConsume(string bootstrap, int messages, string group)
    {
        var clock = Stopwatch.StartNew();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new KafkaConsumerSettings(bootstrap, group, "events").ToConsumerConfig())
            .SetPartitionsAssignedHandler((_, _) => clock.Restart()) // steady state: the group join is not the consumer's throughput
            .Build();
        consumer.Subscribe("events");
        var idle = 0;
        var seen = 0;
        while (seen < messages)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is null && ++idle % 50 == 0)
            {
                Console.Error.WriteLine($"raw consumer: {seen:N0} of {messages:N0} after {clock.Elapsed.TotalSeconds:F0} s");
            }

            if (r is not null)
            {
                seen++;
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        consumer.Close();
        return seconds;
    }

    private static double ConsumeAndLand(string bootstrap, int messages, string group)
    {
        var lake = Path.Combine(Path.GetTempPath(), "me3-bench-kafka-lake");
        if (Directory.Exists(lake))
        {
            Directory.Delete(lake, recursive: true);
        }

        using var system = Actors.Create("bench");
        // The topic's end is not known to the writer: its last batch lands when MaxBatchInterval passes. 100 ms keeps
        // that tail small beside a run of about a second; with 500 ms it alone cost a quarter of the rate.
        var settings = new LakeSettings(lake).WithBatchBounds(250_000, 32L << 20, TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();
        var ingestion = Me3Graph.KafkaToLake(new KafkaConsumerSettings(bootstrap, group, "events"), settings).Run(system.Materializer());

        // Steady state, as for the raw consumer: the clock starts when the group has assigned the partitions.
        while (ingestion.Control.Assignment.Count == 0 && !ingestion.Completion.IsCompleted)
        {
            Thread.Sleep(1);
        }

        clock.Restart();
        while (ingestion.RowsLanded < messages && !ingestion.Completion.IsCompleted)
        {
            Thread.Sleep(1);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        ingestion.DrainAndShutdownAsync().Wait();
        ingestion.Completion.Wait(); // surfaces a failure instead of reporting a rate
        return seconds;
    }
}
