using System.Globalization;
using Me3.Streams.Query;
using Spectre.Console;

namespace Me3.Samples.Reporting;

/// <summary>The answers on the terminal: the sentences, then a table per question and the table sizes.</summary>
internal static class AnswersConsole
{
    public const int TopRows = 10;

    public static void Write(LakeAnswers answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        AnsiConsole.Write(new Rule("[bold]What the lake says[/]").LeftJustified());
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(AnswerText.MostPopularSword(answers.MostPopularSword))}[/]");
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(AnswerText.TopBuyer(answers.TopBuyer))}[/]");
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(AnswerText.Platforms(answers.Platforms))}[/]");
        AnsiConsole.WriteLine();

        var grid = new Grid().AddColumn().AddColumn().AddColumn();
        grid.AddRow(
            Ranking("sword", "purchases", answers.MostPopularSword),
            Ranking("buyer", "purchases", answers.TopBuyer),
            Counts("platform", "events", [.. answers.Platforms.ByPlatform.Select(p => new CountedValue(AnswerText.PlatformName(p.Value), p.Count))]));
        AnsiConsole.Write(grid);

        var tables = new Table().Border(TableBorder.Rounded).Title("tables");
        tables.AddColumn("table");
        tables.AddColumn(new TableColumn("rows") { Alignment = Justify.Right });
        tables.AddColumn(new TableColumn("files") { Alignment = Justify.Right });
        foreach (var t in answers.Tables)
        {
            tables.AddRow(Markup.Escape(t.Table), N(t.Rows), t.Files is { } f ? N(f) : "");
        }

        AnsiConsole.Write(tables);
    }

    private static Table Ranking(string what, string counted, Ranking ranking)
    {
        var table = Counts(what, counted, ranking.Rows);
        if (ranking.Rows.Count > TopRows)
        {
            table.Caption($"top {TopRows} of {ranking.Rows.Count:N0}");
        }

        return table;
    }

    private static Table Counts(string what, string counted, IReadOnlyList<CountedValue> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn(what);
        table.AddColumn(new TableColumn(counted) { Alignment = Justify.Right });
        var top = rows.Count == 0 ? 0 : rows[0].Count;
        foreach (var row in rows.Take(TopRows))
        {
            var name = Markup.Escape(AnswerText.Name(row.Value));
            table.AddRow(row.Count == top ? $"[bold]{name} ★[/]" : name, N(row.Count));
        }

        if (rows.Count == 0)
        {
            table.AddRow("[grey](none yet)[/]", "");
        }

        return table;
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
