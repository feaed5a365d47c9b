using System.CommandLine;
using System.Text.Json;
using Me3.Samples.Support;
using Me3.Streams;
using Me3.Streams.Query;
using Spectre.Console;

namespace Me3.Samples.Commands;

/// <summary><c>query --lake DIR "SQL" [--format table|csv|json]</c>: runs one read-only SQL statement over the lake.</summary>
internal static class QueryCommand
{
    private static readonly string[] Formats = ["table", "csv", "json"];

    public static Command Create()
    {
        var engine = new EngineOptions();
        var sql = new Argument<string>("sql") { Description = "One SQL statement (read-only), e.g. \"SELECT sword_name, count(*) FROM purchases GROUP BY 1\"." };
        var format = new Option<string>("--format") { Description = "Output: table, csv or json.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(Formats);
        var maxRows = new Option<int>("--max-rows") { Description = "Most rows shown.", DefaultValueFactory = _ => 1000 };
        var command = new Command("query", "Run one read-only SQL statement over the lake's tables (purchases, gjoins, other_events, dead_letters, …).")
        {
            sql, format, maxRows,
        };
        engine.AddTo(command);
        maxRows.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 10_000_000)
            {
                r.AddError("--max-rows must be between 1 and 10000000.");
            }
        });
        sql.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValueOrDefault<string>()))
            {
                r.AddError("The SQL statement is empty.");
            }
        });
        command.SetAction((r, ct) => RunAsync(engine, r, r.GetValue(sql)!, r.GetValue(format)!, r.GetValue(maxRows), ct));
        return command;
    }

    private static Task<int> RunAsync(EngineOptions options, ParseResult parse, string sql, string format, int maxRows, CancellationToken ct)
    {
        return CommandRun.GuardAsync(async () =>
        {
            await using var engine = options.Open(parse);
            var result = await engine.ExecuteAsync(sql, options.QueryOptions(parse, maxRows), ct);
            await using (result)
            {
                var rows = await result.ReadAllAsync(ct);
                switch (format)
                {
                    case "csv":
                        WriteCsv(result.Columns, rows);
                        break;
                    case "json":
                        WriteJson(result.Columns, rows);
                        break;
                    default:
                        WriteTable(result.Columns, rows, result.Truncated);
                        break;
                }

                if (result.Truncated)
                {
                    await Console.Error.WriteLineAsync($"note: only the first {rows.Count:N0} rows are shown (--max-rows).");
                }
            }

            return 0;
        });
    }

    private static void WriteTable(IReadOnlyList<QueryColumn> columns, IReadOnlyList<object?[]> rows, bool truncated)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            var numeric = column.ClrType == typeof(long) || column.ClrType == typeof(int) || column.ClrType == typeof(double) || column.ClrType == typeof(decimal);
            table.AddColumn(new TableColumn(Markup.Escape(column.Name)) { Alignment = numeric ? Justify.Right : Justify.Left });
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(v => v is null ? new Markup("[grey]NULL[/]") : (Spectre.Console.Rendering.IRenderable)new Text(ValueText.Format(v))).ToArray());
        }

        table.Caption($"{rows.Count:N0} row{(rows.Count == 1 ? "" : "s")}{(truncated ? " (more not shown)" : "")}");
        AnsiConsole.Write(table);
    }

    private static void WriteCsv(IReadOnlyList<QueryColumn> columns, IReadOnlyList<object?[]> rows)
    {
        var output = Console.Out;
        output.WriteLine(string.Join(",", columns.Select(c => ValueText.Csv(c.Name))));
        foreach (var row in rows)
        {
            output.WriteLine(string.Join(",", row.Select(v => ValueText.Csv(ValueText.Format(v)))));
        }
    }

    private static void WriteJson(IReadOnlyList<QueryColumn> columns, IReadOnlyList<object?[]> rows)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                json.WriteStartObject();
                for (var i = 0; i < columns.Count; i++)
                {
                    json.WritePropertyName(columns[i].Name);
                    ValueText.Write(json, row[i]);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        stdout.WriteByte((byte)'\n');
    }
}
