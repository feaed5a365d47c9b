using System.CommandLine;
using System.Globalization;
using Me3.Samples.Support;
using Me3.Streams;
using Me3.Streams.Query;
using Spectre.Console;

namespace Me3.Samples.Commands;

/// <summary><c>tables --lake DIR</c>: the lake's tables, their columns with types, rows and files.</summary>
internal static class TablesCommand
{
    public static Command Create()
    {
        var engine = new EngineOptions();
        var command = new Command("tables", "List the lake's tables: columns with their types, rows and files.");
        engine.AddTo(command);
        command.SetAction((r, ct) => RunAsync(engine, r, ct));
        return command;
    }

    private static Task<int> RunAsync(EngineOptions options, ParseResult parse, CancellationToken ct)
    {
        return CommandRun.GuardAsync(async () =>
        {
            var catalog = options.Catalog(parse);
            await using var engine = options.Open(parse);
            var overview = new Table().Border(TableBorder.Rounded).Title($"lake: {Markup.Escape(options.Where(parse))}");
            overview.AddColumn("table");
            overview.AddColumn(new TableColumn("rows") { Alignment = Justify.Right });
            overview.AddColumn(new TableColumn("files") { Alignment = Justify.Right });
            overview.AddColumn(new TableColumn("MB") { Alignment = Justify.Right });
            overview.AddColumn("columns");
            foreach (var name in await options.TableNamesAsync(parse, engine, ct))
            {
                var table = catalog?.Find(name);
                var (_, count, _) = await engine.QueryAsync($"SELECT count(*) FROM {name}", options.QueryOptions(parse), ct);
                var shape = await engine.ExecuteAsync($"SELECT * FROM {name} LIMIT 0", options.QueryOptions(parse), ct);
                await using (shape)
                {
                    // Through Trino the files are the cluster's: their count and size are not known here.
                    var files = table?.Files();
                    var bytes = files?.Sum(f => new FileInfo(f).Length);
                    overview.AddRow(
                        new Text(name + (table is { IsDeclared: false } ? " (not routed)" : "")),
                        new Text(Convert.ToInt64(count[0][0], CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture)),
                        new Text(files?.Count.ToString("N0", CultureInfo.InvariantCulture) ?? "-"),
                        new Text(bytes is { } b ? (b / 1e6).ToString("F1", CultureInfo.InvariantCulture) : "-"),
                        new Text(string.Join(", ", shape.Columns.Select(c => $"{c.Name} {c.Type}"))));
                }
            }

            AnsiConsole.Write(overview);
            return 0;
        });
    }
}
