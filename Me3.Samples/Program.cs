using System.CommandLine;
using System.CommandLine.Parsing;
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

            Console.Error.WriteLine(HelpHint(parsed.CommandResult));
            return Task.FromResult(2);
        }

        return parsed.InvokeAsync();
    }

    /// <summary>Where to read more: <c>(see: kafka serve --help)</c>, the command as typed after the program's name.</summary>
    internal static string HelpHint(CommandResult command)
    {
        // Command.Parents holds only the immediate parent, so a sub-command's path is walked through its results.
        var words = new List<string> { "--help" };
        for (var result = command; result.Parent is CommandResult parent; result = parent)
        {
            words.Insert(0, result.Command.Name);
        }

        return $"(see: {string.Join(' ', words)})";
    }
}
