using System.CommandLine;
using System.Globalization;
using Me3.Streams;
using Me3.Streams.Query;
using Me3.Streams.Query.DuckDb;
using Me3.Streams.Query.Trino;

namespace Me3.Samples.Support;

/// <summary>
/// The options that choose the SQL engine of the commands that read the lake (<c>query</c>, <c>report</c>,
/// <c>tables</c>): <c>--lake DIR</c> for the embedded engine over a lake on this machine, or <c>--trino URL</c> (with
/// <c>--user</c>, <c>--catalog</c>, <c>--schema</c>, <c>--password</c>/<c>--token</c>) for a Trino cluster where the lake
/// is registered (see <c>register</c>).
/// </summary>
internal sealed class EngineOptions
{
    public Option<DirectoryInfo?> Lake { get; } = new("--lake") { Description = "The lake directory, read with the embedded engine (DuckDB, read-only)." };

    /// <summary>The Trino cluster options, the other way to read the lake.</summary>
    public TrinoConnectionOptions Trino { get; } = new(required: false);

    public Option<double> Timeout { get; } = new("--timeout") { Description = "Longest run of one query, in seconds.", DefaultValueFactory = _ => 60 };

    /// <summary>Adds the options and their checks to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Lake);
        command.Options.Add(Timeout);
        Trino.AddTo(command);
        command.Validators.Add(result =>
        {
            var trino = !string.IsNullOrWhiteSpace(result.GetValue(Trino.Trino));
            if (trino && result.GetValue(Lake) is not null)
            {
                result.AddError("Give either --lake DIR or --trino URL, not both.");
            }
            else if (trino)
            {
                return;
            }
            else if (result.GetValue(Lake) is null)
            {
                result.AddError("Give the lake to read: --lake DIR (or a Trino cluster: --trino URL).");
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
            var seconds = result.GetValueOrDefault<double>();
            if (seconds is <= 0 or > 86_400)
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"--timeout must be more than 0 and at most 86400 seconds, not {seconds}."));
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
        Catalog(result) is { } catalog ? new DuckDbQueryEngine(catalog)
        : Trino.IsGiven(result) ? new TrinoQueryEngine(Trino.Settings(result))
        : throw new Me3Exception("Give the lake to read: --lake DIR (or a Trino cluster: --trino URL).");

    /// <summary>Where the lake is read: its directory, or the Trino catalog and schema.</summary>
    public string Where(ParseResult result) =>
        Catalog(result) is { } catalog ? catalog.LakePath : $"{result.GetValue(Trino.Trino)} ({result.GetValue(Trino.Catalog)}.{result.GetValue(Trino.Schema)})";

    /// <summary>The lake's table names: the catalog's, or those registered in the Trino schema.</summary>
    /// <exception cref="QueryException">Trino cannot list them.</exception>
    public async Task<IReadOnlyList<string>> TableNamesAsync(ParseResult result, IQueryEngine engine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (Catalog(result) is { } catalog)
        {
            return [.. catalog.Tables().Select(t => t.Name)];
        }

        var (_, rows, _) = await engine.QueryAsync("SHOW TABLES", QueryOptions(result), cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => (string)r[0]!)];
    }
}
