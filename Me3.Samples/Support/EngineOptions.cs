using System.CommandLine;
using Me3.Streams;
using Me3.Streams.Query;
using Me3.Streams.Query.DuckDb;

namespace Me3.Samples.Support;

/// <summary>
/// The options that choose the SQL engine of the commands that read the lake (<c>query</c>, <c>report</c>,
/// <c>tables</c>): <c>--lake DIR</c> for the embedded engine over a lake on this machine.
/// </summary>
internal sealed class EngineOptions
{
    public Option<DirectoryInfo?> Lake { get; } = new("--lake") { Description = "The lake directory, read with the embedded engine (DuckDB, read-only)." };

    public Option<double> Timeout { get; } = new("--timeout") { Description = "Longest run of one query, in seconds.", DefaultValueFactory = _ => 60 };

    /// <summary>Adds the options and their checks to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Lake);
        command.Options.Add(Timeout);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Lake) is null)
            {
                result.AddError("Give the lake to read: --lake DIR.");
            }
            else if (!result.GetValue(Lake)!.Exists)
            {
                result.AddError(File.Exists(result.GetValue(Lake)!.FullName)
                    ? $"--lake '{result.GetValue(Lake)!.FullName}' is a file, not a lake directory."
                    : $"--lake '{result.GetValue(Lake)!.FullName}' does not exist; land events there first (ingest or demo).");
            }

        });
        Timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is <= 0 or > 86_400)
            {
                result.AddError("--timeout must be between 0 and 86400 seconds.");
            }
        });
    }

    /// <summary>Query limits from the options.</summary>
    public QueryOptions QueryOptions(ParseResult result, int maxRows = 10_000) =>
        Streams.Query.QueryOptions.Default.WithTimeout(TimeSpan.FromSeconds(result.GetValue(Timeout))).WithMaxRows(maxRows);

    /// <summary>The lake's catalog, when the engine reads a lake on this machine.</summary>
    public LakeCatalog? Catalog(ParseResult result) =>
        result.GetValue(Lake) is { } lake ? new LakeCatalog(lake.FullName) : null;

    /// <summary>Opens the engine the options choose.</summary>
    /// <exception cref="Me3Exception">It cannot be opened.</exception>
    public IQueryEngine Open(ParseResult result) =>
        Catalog(result) is { } catalog
            ? new DuckDbQueryEngine(catalog)
            : throw new Me3Exception("Give the lake to read: --lake DIR.");
}
