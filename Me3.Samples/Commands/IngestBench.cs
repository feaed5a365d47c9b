using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Me3.Samples.Support;

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

        var duck = new List<Measured>();
        var ours = new List<Measured>();
        for (var round = 0; round < rounds; round++)
        {
            // Alternate who goes first, so that neither always runs on a warmer page cache or a quieter machine.
            if (round % 2 == 0)
            {
                duck.Add(TimeDuckDb(path, Path.Combine(work, "duckdb-out")));
                ours.Add(TimeIngest(path, Path.Combine(work, "me3-lake")));
            }
            else
            {
                ours.Add(TimeIngest(path, Path.Combine(work, "me3-lake")));
                duck.Add(TimeDuckDb(path, Path.Combine(work, "duckdb-out")));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: duckdb {duck[^1]} | ingest --from {ours[^1]} ({ours[^1].Records / ours[^1].Wall:N0} events/s)"));
        }

        var d = Measured.Median(duck);
        var m = Measured.Median(ours);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median of {rounds}:      wall      CPU (user+sys)  peak RSS"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"duckdb COPY      {d.Wall,7:F2} s  {d.Cpu,7:F2} s       {d.PeakMb,6:F0} MiB (in the benchmark process)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest --from    {m.Wall,7:F2} s  {m.Cpu,7:F2} s       {m.PeakMb,6:F0} MiB (max {ours.Max(r => r.PeakMb):F0})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"throughput ratio (duckdb wall / ingest wall): {d.Wall / m.Wall:F2} (target >= 1.00); CPU ratio (ingest / duckdb): {m.Cpu / d.Cpu:F2} (target <= 1.00)"));
        BenchSummary.Add(
            string.Create(CultureInfo.InvariantCulture, $"bench ingest, {m.Records:N0} events"),
            string.Create(CultureInfo.InvariantCulture, $"{m.Wall:F2} s, {m.Cpu:F2} CPU-s, {ours.Max(r => r.PeakMb):F0} MiB"),
            string.Create(CultureInfo.InvariantCulture, $"DuckDB {d.Wall:F2} s, {d.Cpu:F2} CPU-s"),
            string.Create(CultureInfo.InvariantCulture, $"{d.Wall / m.Wall:F2}× throughput, {m.Cpu / d.Cpu:F1}× CPU"),
            BenchSummary.Target("≥ 1.0× throughput, CPU ≤ DuckDB's, RSS < 1 GiB", d.Wall / m.Wall >= 1 && m.Cpu <= d.Cpu && ours.Max(r => r.PeakMb) < 1024));
        return 0;
    }

    /// <summary>One timed run: wall and CPU seconds, peak resident memory, records landed.</summary>
    private sealed record Measured(double Wall, double Cpu, double PeakMb, long Records)
    {
        public static Measured Median(List<Measured> runs) => new(
            MedianOf(runs.Select(r => r.Wall)), MedianOf(runs.Select(r => r.Cpu)), MedianOf(runs.Select(r => r.PeakMb)), runs[0].Records);

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Wall:F2} s wall, {Cpu:F2} s CPU, {PeakMb:F0} MiB");

        private static double MedianOf(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }

    private static Measured TimeDuckDb(string input, string output)
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
        ProcessStats.ResetPeakRss();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        command.ExecuteNonQuery();
        var wall = clock.Elapsed.TotalSeconds;
        return new Measured(wall, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, (ProcessStats.PeakRssBytes() ?? 0) / 1048576.0, 0);
    }

    private static Measured TimeIngest(string input, string lake)
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

        var cpu = ProcessStats.ChildrenCpu();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (ProcessStats.ChildrenCpu() - cpu).TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ingest failed ({process.ExitCode}): {stderr}");
        }

        var stats = StatsLine().Match(stdout);
        return new Measured(seconds, cpuSeconds, double.Parse(stats.Groups["rss"].Value, CultureInfo.InvariantCulture), long.Parse(stats.Groups["records"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"stats: records=(?<records>\d+) .*peak_rss_mb=(?<rss>\d+)")]
    private static partial Regex StatsLine();
}
