using System.Globalization;

namespace Me3.Samples.Support;

/// <summary>
/// The result rows the benchmarks report, collected so that <c>bench</c> (every benchmark in one run) can print them
/// at the end as the summary table of docs/performance.md, with the date and the machine.
/// </summary>
internal static class BenchSummary
{
    private static readonly List<string> Rows = [];

    /// <summary>Adds a row: what was measured, Me3's figure, the peer's, their ratio, and the target's state.</summary>
    public static void Add(string benchmark, string me3, string peer, string ratio, string target)
    {
        lock (Rows)
        {
            Rows.Add($"| {benchmark} | {me3} | {peer} | {ratio} | {target} |");
        }
    }

    /// <summary>Says whether a target is met.</summary>
    public static string Target(string target, bool met) => $"{target}: {(met ? "met" : "**not met**")}";

    /// <summary>Prints the rows collected so far as a Markdown table under a heading naming the date and machine.</summary>
    public static void Print(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"## Summary: {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, .NET {Environment.Version}"));
        output.WriteLine();
        output.WriteLine("| benchmark | Me3 | peer | ratio | target |");
        output.WriteLine("| --- | --- | --- | --- | --- |");
        lock (Rows)
        {
            foreach (var row in Rows)
            {
                output.WriteLine(row);
            }
        }
    }
}
