using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Me3.Streams.Kafka;
using Me3.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Me3.Tests.Integration;

/// <summary>
/// Ingestion scaled out as the compose deployment runs it: several <c>ingest --bootstrap</c> processes in one consumer
/// group, sharing one lake. One is killed with SIGKILL while events are produced and another one joins; every event
/// must still be in the lake exactly once, and the group's committed offsets must reach the end of every partition.
/// </summary>
public sealed class ScaleOutSpec(ITestOutputHelper output) : IDisposable
{
    private const string Topic = "events";
    private const string Group = "me3-scale";
    private const int Partitions = 16;
    private const int Events = 24_000;
    private static readonly string[] AllTables = ["purchases", "gjoins", "other_events", "dead_letters"];

    private readonly TempLake _temp = new();
    private readonly List<Ingester> _ingesters = [];

    [Fact]
    public async Task Three_ingest_processes_in_one_group_one_killed_and_one_started_must_land_every_event_exactly_once_and_commit_to_the_end()
    {
        var clock = Stopwatch.StartNew();
        using var kafka = new EmbeddedKafka(brokers: 3);
        kafka.CreateTopic(Topic, Partitions, replicationFactor: 3);
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers, Acks = Acks.All, EnableIdempotence = true, LingerMs = 5,
        }).Build();
        var produced = new List<(int Partition, long Offset)>();

        // The first process owns every partition and lands before two more join: it certainly holds partitions, and
        // maybe a write, when it is killed.
        _ingesters.Add(StartIngester(kafka.BootstrapServers));
        produced.AddRange(await ProduceAsync(producer, 0, Events / 6));
        await WaitUntilAsync(() => LandedRows() >= Events / 12, TimeSpan.FromSeconds(60), $"{Events / 12} rows landed by the first process");
        _ingesters.Add(StartIngester(kafka.BootstrapServers));
        _ingesters.Add(StartIngester(kafka.BootstrapServers));
        produced.AddRange(await ProduceAsync(producer, Events / 6, Events / 6));
        await WaitUntilAsync(() => LandedRows() >= Events / 4, TimeSpan.FromSeconds(60), $"{Events / 4} rows landed after two more joined");

        // SIGKILL one of them while the next third is being produced: no drain, no commit, maybe mid-write.
        var producing = ProduceAsync(producer, Events / 3, Events / 3);
        var victim = _ingesters[0];
        victim.Process.Kill();
        await victim.Process.WaitForExitAsync();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: killed {victim.Process.Id} with {LandedRows()} rows landed; temp files: {TempFiles()}");
        produced.AddRange(await producing);

        // A replacement joins; the dead member's partitions move once its session expires.
        _ingesters.Add(StartIngester(kafka.BootstrapServers));
        produced.AddRange(await ProduceAsync(producer, 2 * (Events / 3), Events - (2 * (Events / 3))));
        await WaitUntilAsync(() => LandedRows() >= Events, TimeSpan.FromSeconds(120), $"all {Events} events landed");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: all landed");

        // Positions are committed within a second of landing; a rebalance that the stop below starts may refuse the
        // stopping members' last commits (the embedded broker refuses commits during every rebalance).
        var ends = EndOffsets(kafka.BootstrapServers);
        Assert.Equal(Events, ends.Values.Sum());
        await WaitUntilAsync(() => Behind(ends, CommittedOffsets(kafka.BootstrapServers)).Length == 0, TimeSpan.FromSeconds(30), "committed offsets at the end of every partition");

        // docker stop: SIGTERM drains, commits and exits 0.
        var live = _ingesters.Skip(1).ToArray();
        foreach (var ingester in live)
        {
            ChildProcess.Terminate(ingester.Process);
        }

        foreach (var ingester in live)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await ingester.Process.WaitForExitAsync(timeout.Token);
            Assert.True(ingester.Process.ExitCode == 0, $"ingest {ingester.Process.Id} exited {ingester.Process.ExitCode}:\n{ingester.Output}");
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: all stopped");
        using (var duck = new DuckLake(_temp.Lake))
        {
            var landed = duck.Positions(AllTables);
            var duplicates = landed.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
            Assert.True(duplicates.Length == 0, $"{duplicates.Length} events landed twice, such as {string.Join(", ", duplicates.Take(5))}");
            var missing = produced.Except(landed).ToArray();
            Assert.True(missing.Length == 0, $"{missing.Length} events never landed, such as {string.Join(", ", missing.Take(5))}");
            Assert.Equal(Events, landed.Count);
            Assert.Equal(Events / 100, duck.Count("dead_letters"));
        }

        Assert.Equal(0, TempFiles());
        var behind = Behind(ends, CommittedOffsets(kafka.BootstrapServers));
        Assert.True(behind.Length == 0, $"after the stop, committed offsets are not at the end: {string.Join("; ", behind)}");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: checked");
    }

    private Ingester StartIngester(string bootstrap)
    {
        var process = ChildProcess.Start("Me3.Samples",
        [
            "ingest", "--bootstrap", bootstrap, "--topic", Topic, "--group", Group, "--lake", _temp.Lake,
            "--batch-records", "400", "--batch-seconds", "0.5",

            // A member joining while the group waits for a killed member's session to expire joins only then; on a
            // busy machine that can pass the default 30 s: this spec is about landing, not about start-up time.
            "--start-timeout", "120",
        ]);
        var ingester = new Ingester(process);
        process.OutputDataReceived += (_, e) => ingester.Append(e.Data);
        process.ErrorDataReceived += (_, e) => ingester.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return ingester;
    }

    /// <summary>Produces <paramref name="count"/> events from number <paramref name="from"/> on (one in a hundred is
    /// not JSON), keyed so they spread over every partition; returns where each one went.</summary>
    private static async Task<List<(int Partition, long Offset)>> ProduceAsync(IProducer<byte[], byte[]> producer, int from, int count)
    {
        var pending = Enumerable.Range(from, count).Select(i =>
        {
            var value = i % 100 == 42
                ? $"not json {i}"
                : i % 3 == 0
                    ? $$"""{"event_type":"join_guild","user_name":"u{{i}}","guild_name":"g{{i % 7}}"}"""
                    : Records.Purchase($"u{i}", $"s{i % 5}");
            return producer.ProduceAsync(Topic, new Message<byte[], byte[]>
            {
                Key = Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture)),
                Value = Encoding.UTF8.GetBytes(value),
            });
        }).ToArray();
        var results = await Task.WhenAll(pending);
        return results.Select(r => (r.Partition.Value, r.Offset.Value)).ToList();
    }

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            var dead = _ingesters.Skip(1).FirstOrDefault(i => i.Process.HasExited);
            if (dead is not null)
            {
                Assert.Fail($"waiting for {what}: ingest {dead.Process.Id} exited {dead.Process.ExitCode}:\n{dead.Output}");
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"no {what} after {timeout.TotalSeconds:F0} s ({LandedRows()} rows landed); ingest output:\n{string.Join("\n", _ingesters.Select(i => i.Output))}");
            }

            await Task.Delay(200);
        }
    }

    private long LandedRows()
    {
        using var duck = new DuckLake(_temp.Lake);
        return AllTables.Sum(duck.Count);
    }

    private int TempFiles() =>
        Directory.Exists(_temp.Lake) ? Directory.GetFiles(_temp.Lake, "*.tmp", SearchOption.AllDirectories).Length : 0;

    private static string[] Behind(Dictionary<int, long> ends, Dictionary<int, long> committed) =>
        ends.Where(e => committed[e.Key] != e.Value).Select(e => $"partition {e.Key}: committed {committed[e.Key]}, end {e.Value}").ToArray();

    private static Dictionary<int, long> EndOffsets(string bootstrap)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "me3-scale-check" }).Build();
        return Enumerable.Range(0, Partitions).ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(new TopicPartition(Topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    private static Dictionary<int, long> CommittedOffsets(string bootstrap)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = Group }).Build();
        return consumer.Committed(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Topic, p)), TimeSpan.FromSeconds(10))
            .ToDictionary(o => o.Partition.Value, o => o.Offset.Value);
    }

    public void Dispose()
    {
        foreach (var ingester in _ingesters.Where(i => !i.Process.HasExited))
        {
            ingester.Process.Kill();
        }

        foreach (var ingester in _ingesters)
        {
            ingester.Process.Dispose();
        }

        _temp.Dispose();
    }

    private sealed class Ingester(Process process)
    {
        private readonly StringBuilder _output = new();

        public Process Process { get; } = process;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return $"[{Process.Id}] {_output}";
                }
            }
        }

        public void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
