using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Me3.Samples.Support;
using Confluent.Kafka;
using Me3.Streams.Kafka;

namespace Me3.Samples.Commands;

/// <summary>
/// <c>bench api</c>: the game API under wrk, Me3.Host against the reference design (Flask + kafka-python), both on
/// the same embedded broker in the same run, rounds alternated. Reports requests/s, latency percentiles, CPU time
/// and peak RSS of each server, and checks that every request Me3.Host answered 200 is in its topic.
/// </summary>
internal static partial class ApiBench
{
    private const string Python = "/usr/bin/python3";

    // The reference design's game API, as published with the game: Flask's threaded server, kafka-python's
    // producer sending without waiting for the broker's acknowledgement.
    private const string FlaskPeer = """
        import json, os
        from flask import Flask, request
        from kafka import KafkaProducer

        app = Flask(__name__)
        producer = KafkaProducer(bootstrap_servers=os.environ["BOOTSTRAP"].split(","))
        topic = os.environ["TOPIC"]

        def log_to_kafka(event):
            event.update(request.headers)
            producer.send(topic, json.dumps(event).encode())

        @app.route("/")
        def default_response():
            log_to_kafka({"event_type": "default"})
            return "This is the default response!\n"

        @app.route("/purchase_a_sword")
        def purchase_a_sword():
            log_to_kafka({"event_type": "purchase_sword"})
            return "Sword Purchased!\n"

        @app.route("/join_guild")
        def join_guild():
            log_to_kafka({"event_type": "join_guild"})
            return "Guild Joined!\n"

        if __name__ == "__main__":
            app.run(host="127.0.0.1", port=int(os.environ["PORT"]), threaded=True)
        """;

    public static int Run(int rounds, int seconds, int connections, FileInfo? host)
    {
        var missing = Missing();
        if (missing is not null)
        {
            Console.Error.WriteLine($"error: bench api needs {missing}; on Debian: apt-get install wrk python3-flask python3-kafka");
            return 1;
        }

        var hostDll = host?.FullName ?? DefaultHostDll();
        if (!File.Exists(hostDll))
        {
            Console.Error.WriteLine($"error: Me3.Host is not built at '{hostDll}': run 'dotnet build Me3.Streams.sln -c Release' or pass --host PATH/Me3.Host.dll");
            return 1;
        }

        using var kafka = new EmbeddedKafka(brokers: 3);
        kafka.CreateTopic("me3-events", 32);
        kafka.CreateTopic("peer-events", 32);
        var work = Directory.CreateTempSubdirectory("me3-bench-api");
        var peerScript = Path.Combine(work.FullName, "game_api.py");
        File.WriteAllText(peerScript, FlaskPeer);
        var me3Port = FreePort();
        var peerPort = FreePort();

        using var me3 = Start("dotnet", [hostDll, "--urls", $"http://127.0.0.1:{me3Port}"], new()
        {
            ["Me3__Kafka__BootstrapServers"] = kafka.BootstrapServers,
            ["Me3__Kafka__Topic"] = "me3-events",
            ["Me3__Ingest__Enabled"] = "false",
            ["Me3__Lake__Path"] = Path.Combine(work.FullName, "lake"),
            ["Logging__LogLevel__Default"] = "Warning",
        });
        using var peer = Start(Python, [peerScript], new()
        {
            ["BOOTSTRAP"] = kafka.BootstrapServers,
            ["TOPIC"] = "peer-events",
            ["PORT"] = peerPort.ToString(CultureInfo.InvariantCulture),
        });
        try
        {
            var me3Url = $"http://127.0.0.1:{me3Port}/purchase_a_sword?user_name=alice&sword_name=katana";
            var peerUrl = $"http://127.0.0.1:{peerPort}/purchase_a_sword?user_name=alice&sword_name=katana";
            WaitUntilServing(me3Url, me3);
            WaitUntilServing(peerUrl, peer);
            Console.WriteLine($"wrk -t2 -c{connections} -d{seconds}s --latency, {rounds} rounds alternated, {Environment.ProcessorCount} cores; servers, wrk and the embedded broker share them");

            var ours = new List<Result>();
            var theirs = new List<Result>();
            for (var round = 0; round < rounds; round++)
            {
                foreach (var me3First in round % 2 == 0 ? new[] { true, false } : [false, true])
                {
                    if (me3First)
                    {
                        ours.Add(Wrk(me3Url, me3, seconds, connections));
                    }
                    else
                    {
                        theirs.Add(Wrk(peerUrl, peer, seconds, connections));
                    }
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: Me3.Host {ours[^1]} | Flask + kafka-python {theirs[^1]}"));
            }

            var m = Result.Median(ours);
            var p = Result.Median(theirs);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median Me3.Host:             {m}, peak RSS {PeakRssMb(me3):F0} MiB"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median Flask + kafka-python: {p}, peak RSS {PeakRssMb(peer):F0} MiB"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio: {m.RequestsPerSecond / p.RequestsPerSecond:F1}x the peer's requests/s (target >= 30x), Me3.Host p99 {m.P99Ms:F1} ms (target < 50 ms)"));

            // Every 200 was acknowledged by all in-sync replicas before it was sent, so it must be in the topic.
            var acknowledged = ours.Sum(r => r.Ok) + 1;
            var inTopic = MessagesIn(kafka.BootstrapServers, "me3-events", 32);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Me3.Host: {acknowledged:N0} requests answered 200 (wrk's count, and the readiness probe), {inTopic:N0} events in its topic: {(inTopic >= acknowledged ? "none lost" : "EVENTS LOST")}"));
            BenchSummary.Add(
                string.Create(CultureInfo.InvariantCulture, $"bench api, wrk -c{connections} {seconds} s"),
                string.Create(CultureInfo.InvariantCulture, $"{m.RequestsPerSecond:N0} req/s, p99 {m.P99Ms:F1} ms"),
                string.Create(CultureInfo.InvariantCulture, $"Flask + kafka-python {p.RequestsPerSecond:N0} req/s, p99 {p.P99Ms:F1} ms"),
                string.Create(CultureInfo.InvariantCulture, $"{m.RequestsPerSecond / p.RequestsPerSecond:F1}×"),
                BenchSummary.Target("≥ 30×, p99 < 50 ms, every 200 in the topic", m.RequestsPerSecond / p.RequestsPerSecond >= 30 && m.P99Ms < 50 && inTopic >= acknowledged));
            return inTopic >= acknowledged ? 0 : 1;
        }
        finally
        {
            Stop(me3);
            Stop(peer);
            work.Delete(recursive: true);
        }
    }

    /// <summary>What is not installed, or null.</summary>
    internal static string? Missing()
    {
        if (!Runs("wrk", "--version", out _))
        {
            return "wrk";
        }

        return File.Exists(Python) && Runs(Python, "-c \"import flask, kafka\"", out _) ? null : "python3-flask and python3-kafka";
    }

    private static bool Runs(string program, string arguments, out string output)
    {
        output = "";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode is 0 or 1 && !output.Contains("Error", StringComparison.Ordinal);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string DefaultHostDll()
    {
        // The CLI carries Me3.Host (it runs it in process for the demo): the copy beside this one, with its runtime
        // configuration, runs as its own process too. Else the host's own build output, or the Release build under the
        // current directory.
        var beside = Path.Combine(AppContext.BaseDirectory, "Me3.Host.dll");
        if (File.Exists(beside) && File.Exists(Path.ChangeExtension(beside, ".runtimeconfig.json")))
        {
            return beside;
        }

        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        if (output.Parent?.Parent?.Parent?.Parent is { } repository && output.Parent.Parent.Name == "bin")
        {
            return Path.Combine(repository.FullName, "Me3.Host", "bin", output.Parent.Name, output.Name, "Me3.Host.dll");
        }

        return Path.GetFullPath(Path.Combine("Me3.Host", "bin", "Release", "net10.0", "Me3.Host.dll"));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process Start(string program, string[] args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void WaitUntilServing(string url, Process server)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"{server.StartInfo.FileName} exited with code {server.ExitCode} before serving.");
            }

            try
            {
                if (http.GetAsync(new Uri(url)).GetAwaiter().GetResult().IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
            {
                // not listening yet
            }

            Thread.Sleep(200);
        }

        throw new InvalidOperationException($"{url} did not answer 200 within 60 s.");
    }

    private static Result Wrk(string url, Process server, int seconds, int connections)
    {
        var cpu = server.TotalProcessorTime;
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-t2", $"-c{connections}", $"-d{seconds}s", "--latency", url })
        {
            start.ArgumentList.Add(arg);
        }

        using var wrk = Process.Start(start)!;
        var output = wrk.StandardOutput.ReadToEnd();
        wrk.WaitForExit();
        server.Refresh();
        var serverCpu = (server.TotalProcessorTime - cpu).TotalSeconds;
        var requests = long.Parse(Match(RequestsLine(), output, "requests"), CultureInfo.InvariantCulture);
        var errors = RegexMatch(Non2xxLine(), output) is { } bad ? long.Parse(bad, CultureInfo.InvariantCulture) : 0;
        return new Result(
            double.Parse(Match(RateLine(), output, "rate"), CultureInfo.InvariantCulture),
            Milliseconds(Match(Percentile50(), output, "value")),
            Milliseconds(Match(Percentile99(), output, "value")),
            requests - errors,
            errors,
            serverCpu);
    }

    private static string Match(Regex regex, string text, string group)
    {
        var m = regex.Match(text);
        return m.Success ? m.Groups[group].Value : throw new InvalidOperationException($"Unexpected wrk output: {text}");
    }

    private static string? RegexMatch(Regex regex, string text) => regex.Match(text) is { Success: true } m ? m.Groups["count"].Value : null;

    private static double Milliseconds(string value)
    {
        var m = DurationValue().Match(value);
        var number = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        return m.Groups["unit"].Value switch
        {
            "us" => number / 1000,
            "s" => number * 1000,
            "m" => number * 60_000,
            _ => number,
        };
    }

    private static double PeakRssMb(Process process)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }
        catch (IOException)
        {
            // exited
        }

        return double.NaN;
    }

    private static long MessagesIn(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench-api-count" }).Build();
        return Enumerable.Range(0, partitions)
            .Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value)
            .Sum();
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    [GeneratedRegex(@"(?<requests>\d+) requests in")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Requests/sec:\s+(?<rate>[\d.]+)")]
    private static partial Regex RateLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(?<count>\d+)")]
    private static partial Regex Non2xxLine();

    [GeneratedRegex(@"\s50%\s+(?<value>[\d.]+\w+)")]
    private static partial Regex Percentile50();

    [GeneratedRegex(@"\s99%\s+(?<value>[\d.]+\w+)")]
    private static partial Regex Percentile99();

    [GeneratedRegex(@"(?<n>[\d.]+)(?<unit>us|ms|s|m)")]
    private static partial Regex DurationValue();

    /// <summary>One wrk run against one server.</summary>
    private sealed record Result(double RequestsPerSecond, double P50Ms, double P99Ms, long Ok, long Errors, double ServerCpu)
    {
        public static Result Median(List<Result> results)
        {
            var byRate = results.OrderBy(r => r.RequestsPerSecond).ToArray();
            var middle = byRate[byRate.Length / 2];
            return middle with { P99Ms = results.Select(r => r.P99Ms).Order().ElementAt(results.Count / 2) };
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{RequestsPerSecond:N0} req/s, p50 {P50Ms:F1} ms, p99 {P99Ms:F1} ms, {Errors} errors, server CPU {ServerCpu:F1} s");
    }
}
