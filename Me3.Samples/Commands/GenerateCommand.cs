using System.CommandLine;
using Me3.Samples.Generation;

namespace Me3.Samples.Commands;

/// <summary><c>generate --count N --out FILE</c>: writes seed-shaped game events as JSON lines.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var count = new Option<long>("--count") { Description = "How many events.", DefaultValueFactory = _ => 10_000 };
        var output = new Option<FileInfo>("--out") { Description = "The JSON-lines file to write.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed gives the same events.", DefaultValueFactory = _ => 42 };
        var command = new Command("generate", "Write game events as JSON lines.") { count, output, seed };
        command.SetAction(result =>
        {
            var file = result.GetValue(output)!;
            Generate(file.FullName, result.GetValue(count), result.GetValue(seed));
            Console.WriteLine($"wrote {result.GetValue(count):N0} events to {file.FullName} ({new FileInfo(file.FullName).Length / 1e6:F1} MB)");
            return 0;
        });
        return command;
    }

    internal static void Generate(string path, long count, int seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = new BufferedStream(File.Create(path), 1 << 20);
        new GameEventGenerator(seed).WriteJsonLines(stream, count);
    }
}
