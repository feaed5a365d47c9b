using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace Me3.Samples.Commands;

/// <summary>
/// <c>bench ingest</c>: lands the same JSON-lines file with DuckDB's <c>COPY … TO … (FORMAT parquet, COMPRESSION snappy,
/// PARTITION_BY (event_type))</c> and with <c>ingest --from</c> (run as a separate process, as a user runs it), in the
/// same run, and reports both.
/// </summary>
internal static partial class IngestBench
{
    public static int Run(FileInfo? file, long events, int rounds)
    {
        var work = Path.Combine(Path.GetTempPath(), "me3-bench");
        Directory.CreateDirectory(work);
        var path = file?.FullName ?? Path.Combine(work, $"events-{events}.jsonl");
        if (!File.Exists(path))
        {
            Console.WriteLine($"generating {events:N0} events into {path} …");
            GenerateCommand.Generate(path, events, seed: 42);
        }

        var size = new FileInfo(path).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"input: {path} ({size / 1e6:F1} MB), {Environment.ProcessorCount} cores, {rounds} rounds each"));

        var duck = new List<double>();
        var ours = new List<double>();
        var rss = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            duck.Add(TimeDuckDb(path, Path.Combine(work, "duckdb-out")));
            var (seconds, peakMb, records) = TimeIngest(path, Path.Combine(work, "me3-lake"));
            ours.Add(seconds);
            rss.Add(peakMb);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: duckdb {duck[^1]:F2} s | ingest --from {seconds:F2} s ({records / seconds:N0} events/s, peak RSS {peakMb:F0} MiB)"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"duckdb COPY      best {duck.Min():F2} s  median {Median(duck):F2} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ingest --from    best {ours.Min():F2} s  median {Median(ours):F2} s  peak RSS max {rss.Max():F0} MiB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio (median duckdb / median ingest): {Median(duck) / Median(ours):F2}  (>= 1.00 means at least DuckDB's throughput)"));
        return 0;
    }

    private static double TimeDuckDb(string input, string output)
    {
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            $"COPY (SELECT * FROM read_json('{input.Replace("'", "''", StringComparison.Ordinal)}', format = 'newline_delimited')) " +
            $"TO '{output.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (event_type))";
        var clock = Stopwatch.StartNew();
        command.ExecuteNonQuery();
        return clock.Elapsed.TotalSeconds;
    }

    private static (double Seconds, double PeakMb, long Records) TimeIngest(string input, string lake)
    {
        if (Directory.Exists(lake))
        {
            Directory.Delete(lake, recursive: true);
        }

        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(IngestBench).Assembly.Location);
        }

        foreach (var arg in new[] { "ingest", "--from", input, "--lake", lake })
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ingest failed ({process.ExitCode}): {stderr}");
        }

        var stats = StatsLine().Match(stdout);
        return (seconds, double.Parse(stats.Groups["rss"].Value, CultureInfo.InvariantCulture), long.Parse(stats.Groups["records"].Value, CultureInfo.InvariantCulture));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    [GeneratedRegex(@"stats: records=(?<records>\d+) .*peak_rss_mb=(?<rss>\d+)")]
    private static partial Regex StatsLine();
}
