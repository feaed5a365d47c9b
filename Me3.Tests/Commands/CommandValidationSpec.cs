using System.CommandLine;
using Me3.Samples.Commands;
using Xunit;

namespace Me3.Tests.Commands;

/// <summary>Every command checks its arguments before it runs: one line naming the option and what is wrong.</summary>
public sealed class CommandValidationSpec
{
    private static List<string> Errors(params string[] args)
    {
        var root = new RootCommand { IngestCommand.Create(), KafkaCommand.Create(), BenchCommand.Create(), GenerateCommand.Create() };
        return root.Parse(args).Errors.Select(e => e.Message).ToList();
    }

    [Theory]
    [InlineData("--brokers", "-1", "kafka", "serve")]
    [InlineData("--partitions", "0", "kafka", "serve")]
    [InlineData("--produce", "-5", "kafka", "serve")]
    [InlineData("--topic", "../x", "kafka", "serve")]
    [InlineData("--rounds", "0", "bench", "ingest")]
    [InlineData("--events", "0", "bench", "ingest")]
    [InlineData("--file", "/nonexistent/events.jsonl", "bench", "ingest")]
    [InlineData("--messages", "-1", "bench", "kafka")]
    [InlineData("--partitions", "0", "bench", "kafka")]
    [InlineData("--rounds", "0", "bench", "kafka")]
    [InlineData("--count", "-1", "generate", "--out", "x.jsonl")]
    public void A_bad_value_must_be_rejected_naming_the_option(string option, string value, params string[] command)
    {
        var error = Assert.Single(Errors([.. command, option, value]));
        Assert.Contains(option is "--count" ? "--events" : option, error);
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [InlineData("(see: kafka serve --help)", "kafka", "serve", "--brokers", "0")]
    [InlineData("(see: bench ingest --help)", "bench", "ingest", "--rounds", "0")]
    [InlineData("(see: generate --help)", "generate", "--count", "-1", "--out", "x.jsonl")]
    [InlineData("(see: --help)", "--no-such-option")]
    public void A_rejected_command_line_must_point_at_the_help_of_the_command_as_typed(string hint, params string[] args)
    {
        var root = new RootCommand { IngestCommand.Create(), KafkaCommand.Create(), BenchCommand.Create(), GenerateCommand.Create() };
        Assert.Equal(hint, Me3.Samples.Program.HelpHint(root.Parse(args).CommandResult));
    }

    [Theory]
    [InlineData("tables")]
    [InlineData("report")]
    [InlineData("query", "SELECT 1")]
    public void A_query_timeout_of_zero_must_be_rejected_saying_it_must_be_more_than_zero(params string[] command)
    {
        var root = new RootCommand { TablesCommand.Create(), ReportCommand.Create(), QueryCommand.Create() };
        var error = Assert.Single(root.Parse([.. command, "--lake", Path.GetTempPath(), "--timeout", "0"]).Errors).Message;
        Assert.Equal("--timeout must be more than 0 and at most 86400 seconds, not 0.", error);
    }

    [Theory]
    [InlineData("--batch-records", "0")]
    [InlineData("--batch-mb", "0")]
    [InlineData("--batch-seconds", "-1")]
    [InlineData("--start-timeout", "0")]
    [InlineData("--stop-timeout", "0")]
    public void Ingest_must_reject_bad_bounds_naming_the_option(string option, string value)
    {
        var error = Assert.Single(Errors("ingest", "--bootstrap", "localhost:9092", "--lake", "lake", option, value));
        Assert.Contains(option, error);
    }

    [Fact]
    public void Ingest_from_a_directory_must_say_it_is_a_directory()
    {
        var error = Assert.Single(Errors("ingest", "--from", Path.GetTempPath(), "--lake", "lake"));
        Assert.Contains("is a directory", error);
    }

    [Fact]
    public void Ingest_into_a_lake_that_is_a_file_must_say_it_is_a_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            var error = Assert.Single(Errors("ingest", "--bootstrap", "localhost:9092", "--lake", file));
            Assert.Contains("is a file; give a directory", error);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
