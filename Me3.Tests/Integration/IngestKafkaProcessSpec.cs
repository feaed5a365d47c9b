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

    [Fact]
    public async Task An_unreachable_cluster_must_make_ingest_exit_non_zero_after_the_start_timeout_with_one_clear_line_and_few_warnings()
    {
        var bootstrap = $"127.0.0.1:{ClosedPort()}";
        var clock = Stopwatch.StartNew();
        using var ingest = StartIngest(bootstrap, "events", "--start-timeout", "3");
        var stdout = ingest.StandardOutput.ReadToEndAsync();
        var stderr = ingest.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await ingest.WaitForExitAsync(bound.Token);
        var elapsed = clock.Elapsed;
        var (printed, errors) = (await stdout, await stderr);
        output.WriteLine($"exited {ingest.ExitCode} after {elapsed.TotalSeconds:F1} s\n{printed}\n{errors}");

        Assert.NotEqual(0, ingest.ExitCode);
        var error = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: could not reach the Kafka cluster at " + bootstrap, error);
        Assert.Contains("--start-timeout", error);

        // librdkafka reports the refused connection many times a second: the first report names the address, the
        // rest are held back to at most one line per interval.
        var warnings = printed.Split('\n').Where(l => l.Contains("Kafka at " + bootstrap, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(warnings);
        Assert.InRange(warnings.Count, 1, 1 + (int)(elapsed / RateLimitedLogInterval));
    }

    /// <summary>How often a repeated Kafka warning may be written.</summary>
    private static readonly TimeSpan RateLimitedLogInterval = TimeSpan.FromSeconds(5);

    /// <summary>A local port nothing listens on: bound once by the system, then released.</summary>
    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task SIGTERM_with_the_broker_frozen_must_exit_within_the_stop_timeout_and_a_restart_must_land_every_record_once()
    {
        const int events = 20_000;
        Process? replacement = null;
        using var broker = ChildProcess.Start("Me3.Samples", ["kafka", "serve", "--brokers", "1", "--partitions", "4"]);
        try
        {
            var bootstrap = await ReadBootstrapAsync(broker);
            await KafkaFixture.ProduceAsync(bootstrap, "events", Enumerable.Range(0, events).Select(i => Records.Purchase($"u{i}", "s")));

            using var ingest = StartIngest(bootstrap, "events", "--stop-timeout", "5", "--batch-records", "300");
            try
            {
                await ReadUntilAsync(ingest, "consuming "); // its signal handlers are in place
                await WaitUntilAsync(() => LandedFiles() > 0, ingest);
                ChildProcess.Freeze(broker); // the broker stops answering: commits and leaving the group hang
                var clock = Stopwatch.StartNew();
                ChildProcess.Terminate(ingest);
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5 + 5));
                await ingest.WaitForExitAsync(bound.Token);
                output.WriteLine($"exited {ingest.ExitCode} {clock.Elapsed.TotalSeconds:F1} s after SIGTERM with the broker frozen");
                output.WriteLine(await ingest.StandardError.ReadToEndAsync());
            }
            finally
            {
                if (!ingest.HasExited)
                {
                    ingest.Kill();
                }
            }

            Assert.Equal(0, ingest.ExitCode);
            var landedBefore = Positions();
            Assert.Equal(landedBefore.Count, landedBefore.Distinct().Count());
            Assert.Empty(Directory.GetFiles(_temp.Lake, "*.tmp", SearchOption.AllDirectories));

            // The broker answers again; what was landed but not committed is read again and skipped, the rest lands.
            // librdkafka's mock cluster sometimes closes its listener after SIGSTOP/SIGCONT: then a new broker with the
            // same records at the same offsets (the same keyed writes, in order) stands in for it, with no committed
            // offsets at all, so the restart's exactly-once rests on the lake's watermarks alone.
            ChildProcess.Thaw(broker);
            replacement = await AcceptsConnectionsAsync(bootstrap) ? null : ChildProcess.Start("Me3.Samples", ["kafka", "serve", "--brokers", "1", "--partitions", "4"]);
            if (replacement is not null)
            {
                bootstrap = await ReadBootstrapAsync(replacement);
                await KafkaFixture.ProduceAsync(bootstrap, "events", Enumerable.Range(0, events).Select(i => Records.Purchase($"u{i}", "s")));
                output.WriteLine("the thawed mock broker refused connections: restarting against a replacement with the same records");
            }

            using var restarted = StartIngest(bootstrap, "events", "--stop-timeout", "5", "--batch-records", "300", "--start-timeout", "30");
            try
            {
                await WaitUntilAsync(() => Positions().Count >= events, restarted);
                ChildProcess.Terminate(restarted);
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await restarted.WaitForExitAsync(bound.Token);
            }
            finally
            {
                if (!restarted.HasExited)
                {
                    restarted.Kill();
                }

                output.WriteLine($"restarted: {await restarted.StandardError.ReadToEndAsync()}");
            }

            var positions = Positions();
            output.WriteLine($"landed before the restart: {landedBefore.Count}; in the end: {positions.Count} rows, {positions.Distinct().Count()} distinct");
            Assert.Equal(events, positions.Count);
            Assert.Equal(events, positions.Distinct().Count());
        }
        finally
        {
            ChildProcess.Thaw(broker);
            broker.Kill();
            await broker.WaitForExitAsync();
            replacement?.Kill();
            replacement?.Dispose();
        }
    }

    private static async Task<bool> AcceptsConnectionsAsync(string bootstrap)
    {
        var (host, port) = (bootstrap.Split(':')[0], int.Parse(bootstrap.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
        for (var attempt = 0; attempt < 10; attempt++)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(host, port);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(200);
            }
        }

        return false;
    }

    private int LandedFiles() => _temp.ParquetFiles("purchases").Count;

    private List<(int Partition, long Offset)> Positions()
    {
        using var duck = new DuckLake(_temp.Lake);
        return duck.Positions("purchases", "gjoins", "other_events", "dead_letters");
    }

    /// <summary>Waits for a condition the process under test brings about; fails fast if it exits first.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.False(process.HasExited, $"the process exited ({(process.HasExited ? process.ExitCode : 0)}) before the condition held");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90), "timed out waiting");
            await Task.Delay(50);
        }
    }

    private static async Task<string> ReadBootstrapAsync(Process broker) => (await ReadUntilAsync(broker, "bootstrap: "))["bootstrap: ".Length..].Trim();

    private static async Task<string> ReadUntilAsync(Process process, string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"the process printed no line starting with '{prefix}'");
    }

    public void Dispose() => _temp.Dispose();
}
