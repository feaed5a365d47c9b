using Me3.Streams.Dsl;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Commands;

/// <summary><c>ingest --from</c> run as a user runs it.</summary>
public sealed class IngestCommandSpec : LakeSpec
{
    [Fact]
    public async Task Ingesting_a_shorter_file_under_a_name_the_lake_holds_must_exit_1_with_one_line_pointing_at_source_name()
    {
        Directory.CreateDirectory(Temp.File("yesterday"));
        var yesterday = Temp.WriteLines(Path.Combine("yesterday", "events.jsonl"), Enumerable.Range(0, 10).Select(i => Records.Purchase($"u{i}", "s")));
        await IngestAsync(Me3Source.JsonLines(yesterday), Settings());
        var today = Temp.WriteLines("events.jsonl", Enumerable.Range(0, 4).Select(i => Records.Purchase($"new{i}", "s")));

        var (exitCode, _, error) = await SamplesCli.RunAsync("ingest", "--from", today, "--lake", Temp.Lake);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: The lake at", line);
        Assert.Contains("up to line 10", line);
        Assert.Contains("has 4 lines", line);
        Assert.Contains("--source-name", line);
    }
}
