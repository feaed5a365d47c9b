using System.CommandLine;
using Me3.Samples.Support;
using Me3.Streams;
using Me3.Streams.Query;
using Me3.Streams.Query.Trino;

namespace Me3.Samples.Commands;

/// <summary>
/// <c>register --trino URL --catalog hive --schema default --location s3a://…|file:///… [--print]</c>: creates the lake's
/// tables in a Trino Hive catalog (external Parquet tables partitioned by <c>dt</c>) and syncs their partitions, or
/// only prints that DDL.
/// </summary>
internal static class RegisterCommand
{
    public static Command Create()
    {
        var trino = new TrinoConnectionOptions(required: false);
        var location = new Option<string>("--location")
        {
            Description = "The lake's root as Trino's Hive connector reaches it: s3a://bucket/lake, hdfs://…, file:///data/lake.",
            Required = true,
        };
        var print = new Option<bool>("--print") { Description = "Only print the DDL, do not run it." };
        var command = new Command("register", "Register the lake's tables in a Trino Hive catalog (CREATE SCHEMA/TABLE IF NOT EXISTS, then sync partitions).")
        {
            location, print,
        };
        trino.AddTo(command);
        command.SetAction((result, ct) => RunAsync(result, trino, result.GetValue(location)!, result.GetValue(print), ct));
        return command;
    }

    private static Task<int> RunAsync(ParseResult result, TrinoConnectionOptions trino, string location, bool print, CancellationToken ct)
    {
        return CommandRun.GuardAsync(async () =>
        {
            TrinoHiveRegistration registration;
            try
            {
                // Only declared tables have known columns; their directories do not matter here.
                var tables = new LakeCatalog(Environment.CurrentDirectory).DeclaredTables;
                registration = new TrinoHiveRegistration(tables, result.GetValue(trino.Catalog)!, result.GetValue(trino.Schema)!, location);
            }
            catch (ArgumentException e)
            {
                throw new Me3Exception(e.Message.Split(" (Parameter", 2)[0]);
            }

            if (print)
            {
                Console.Write(registration.Script());
                return 0;
            }

            if (!trino.IsGiven(result))
            {
                throw new Me3Exception("Give --trino URL to run the DDL, or --print to only print it.");
            }

            await using var engine = new TrinoQueryEngine(trino.Settings(result));
            await registration.RunAsync(engine, s => Console.WriteLine($"running: {s.Split('\n')[0]}"), ct);
            Console.WriteLine($"registered {registration.Statements().Count(s => s.StartsWith("CREATE TABLE", StringComparison.Ordinal))} tables in {registration.Catalog}.{registration.Schema} at {registration.Location}, partitions synced");
            return 0;
        }, interrupted: "interrupted: the statement running was cancelled; running register again is safe.", errorExitCode: 2);
    }
}
