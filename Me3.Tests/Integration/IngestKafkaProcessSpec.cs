using System.Diagnostics;
using Me3.Streams.Kafka;
using Me3.Tests.Kafka;
using Me3.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Me3.Tests.Integration;

/// <summary><c>ingest --bootstrap</c> as a real process: how it fails and how it stops.</summary>
public sealed class IngestKafkaProcessSpec(ITestOutputHelper output) : IDisposable
{
    private readonly TempLake _temp = new();

    private Process StartIngest(string bootstrap, string topic, params string[] more) =>
        ChildProcess.Start("Me3.Samples", ["ingest", "--bootstrap", bootstrap, "--topic", topic, "--group", "cli", "--lake", _temp.Lake, "--batch-seconds", "0.3", .. more]);

    [Fact]
    public async Task A_failing_ingestion_must_exit_non_zero_with_the_reason_on_one_line()
    {
        using var kafka = new EmbeddedKafka(brokers: 1);
        kafka.CreateTopic("events", partitions: 2);
        Directory.CreateDirectory(_temp.Lake);
        File.WriteAllText(Path.Combine(_temp.Lake, "purchases"), "a file where the table's directory belongs");
        await KafkaFixture.ProduceAsync(kafka.BootstrapServers, "events", [Records.Purchase("u1", "s")]);

        using var ingest = StartIngest(kafka.BootstrapServers, "events");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await ingest.WaitForExitAsync(timeout.Token);
        var stderr = await ingest.StandardError.ReadToEndAsync();
        output.WriteLine(stderr);

        Assert.Equal(1, ingest.ExitCode);
        var error = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains("purchases", error);
        Assert.DoesNotContain("   at ", stderr); // no stack trace
    }

    public void Dispose() => _temp.Dispose();
}
