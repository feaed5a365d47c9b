using System.CommandLine;
using Me3.Samples.Commands;

namespace Me3.Samples;

/// <summary>The command-line app: a thin shell over the library, one command per file.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("Me3 Streams samples: land Mid-EVIL III game events in a Parquet lake.")
        {
            IngestCommand.Create(),
            GenerateCommand.Create(),
            KafkaCommand.Create(),
            BenchCommand.Create(),
            ReportCommand.Create(),
            QueryCommand.Create(),
            TablesCommand.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }
}
