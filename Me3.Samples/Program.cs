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
            DemoCommand.Create(),
            IngestCommand.Create(),
            GenerateCommand.Create(),
            KafkaCommand.Create(),
            BenchCommand.Create(),
            ReportCommand.Create(),
            QueryCommand.Create(),
            TablesCommand.Create(),
            RegisterCommand.Create(),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line per mistake, no usage dump: the user sees what to fix; --help shows the rest.
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            Console.Error.WriteLine($"(see: {string.Join(' ', parsed.CommandResult.Command.Parents.OfType<Command>().Reverse().Skip(1).Select(c => c.Name).Append(parsed.CommandResult.Command.Name))} --help)".Replace("( ", "(", StringComparison.Ordinal));
            return Task.FromResult(2);
        }

        return parsed.InvokeAsync();
    }
}
