using System.Globalization;
using System.Net;
using System.Text;
using Me3.Streams.Query;

namespace Me3.Host.Reporting;

/// <summary>
/// The business answers as HTML fragments, shared by the HTML report (a file) and the dashboard (a page that refreshes
/// them): the sentences, and a card per question with its chart, a note and the SQL behind it. The part of a card that
/// changes with the lake is one element, <c>{id}-live</c>, so that the dashboard can swap it without touching the rest
/// (an opened SQL box stays open). Every text is HTML-encoded here.
/// </summary>
internal static class AnswersHtml
{
    public const int TopBuyers = 10;
    public const int MaxSwords = 15;
    public const int MaxUserAgents = 20;

    /// <summary>The style sheet of the answers (Reporting/report.css): the report inlines it, the dashboard serves it.</summary>
    public static string Css { get; } = Resource("Me3.Host.Reporting.report.css");

    /// <summary>A page's start, to the end of its head: the title and what the head holds besides.</summary>
    public static string PageStart(string title, string head) =>
        $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{E(title)}</title>
        {head}
        </head>
        """;

    /// <summary>The three answers in words, one card each.</summary>
    public static string Sentences(LakeAnswers answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        return $"""
            <section class="answers" id="answers" aria-label="The answers">
              <article class="answer"><h2>Most popular sword</h2><p id="answer-sword">{E(AnswerText.MostPopularSword(answers.MostPopularSword))}</p></article>
              <article class="answer"><h2>Top buyer</h2><p id="answer-buyer">{E(AnswerText.TopBuyer(answers.TopBuyer))}</p></article>
              <article class="answer"><h2>iOS vs Android</h2><p id="answer-platforms">{E(AnswerText.Platforms(answers.Platforms))}</p></article>
            </section>
            """;
    }

    /// <summary>The card of purchases per sword, around its changing part.</summary>
    public static string SwordsCard(string live) => Card("swords", "Sword purchases per sword", live, [BusinessQuestions.MostPopularSwordSql]);

    /// <summary>The changing part of the swords card: the chart and how much of it is shown.</summary>
    public static string Swords(LakeAnswers answers, int chartWidth = SvgBarChart.WideWidth)
    {
        var swords = answers.MostPopularSword;
        return SvgBarChart.Render("Sword purchases per sword", [.. swords.Rows.Take(MaxSwords).Select(r => Bar(r, swords))], "swords", chartWidth)
            + Note(swords.Rows.Count > MaxSwords ? $"Showing {MaxSwords} of {swords.Rows.Count:N0} swords." : null);
    }

    /// <summary>The card of the top buyers, around its changing part.</summary>
    public static string BuyersCard(string live) => Card("buyers", $"Top {TopBuyers} buyers", live, [BusinessQuestions.TopBuyerSql]);

    /// <summary>The changing part of the buyers card.</summary>
    public static string Buyers(LakeAnswers answers, int chartWidth = SvgBarChart.WideWidth)
    {
        var buyers = answers.TopBuyer;
        return SvgBarChart.Render($"Sword purchases of the top {TopBuyers} buyers", [.. buyers.Rows.Take(TopBuyers).Select(r => Bar(r, buyers))], "buyers", chartWidth)
            + Note(buyers.Rows.Count > 0 ? $"{buyers.Rows.Count:N0} players bought {buyers.Total:N0} swords." : null);
    }

    /// <summary>The card of the platform split, with the events per user agent, around its changing part.</summary>
    public static string PlatformsCard(string live) => Card("platforms", "iOS vs Android (purchases and guild joins)", live,
        [BusinessQuestions.PurchasesByUserAgentSql, BusinessQuestions.GuildJoinsByUserAgentSql]);

    /// <summary>The changing part of the platforms card.</summary>
    public static string Platforms(LakeAnswers answers, int chartWidth = SvgBarChart.WideWidth)
    {
        var platforms = answers.Platforms;
        var parts = platforms.ByPlatform
            .Select(p => (AnswerText.PlatformName(p.Value), p.Count, p.Value is "ios" or "android" ? p.Value : "other"))
            .ToArray();
        var agents = Table("Events per user agent", [("user agent", false), ("platform", false), ("events", true)],
            platforms.ByUserAgent.Take(MaxUserAgents).Select(a => new[]
            {
                AnswerText.Name(a.Value), AnswerText.PlatformName(BusinessQuestions.PlatformOf(a.Value)), Number(a.Count),
            }));
        return SvgBarChart.Split("Events per platform", parts, chartWidth) + agents
            + Note(platforms.ByUserAgent.Count > MaxUserAgents ? $"Showing {MaxUserAgents} of {platforms.ByUserAgent.Count:N0} user agents." : null);
    }

    /// <summary>A card: a heading, the part that changes (<c>{id}-live</c>), and the SQL behind it, folded (if any).</summary>
    public static string Card(string id, string title, string live, IReadOnlyList<string> sql) =>
        $"""
        <section class="card" id="{id}" aria-labelledby="{id}-title">
          <h2 id="{id}-title">{E(title)}</h2>
          {LivePart(id, live)}
          {(sql.Count == 0 ? "" : $"<details><summary>SQL</summary><pre><code>{E(string.Join(";\n", sql))};</code></pre></details>")}
        </section>

        """;

    /// <summary>The part of card <paramref name="id"/> that changes: <c>{id}-live</c>.</summary>
    public static string LivePart(string id, string content) => $"<div class=\"live\" id=\"{id}-live\">{content}</div>";

    /// <summary>A table of text cells (encoded here); numeric columns are right-aligned.</summary>
    public static string Table(string label, IReadOnlyList<(string Header, bool Numeric)> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        var html = new StringBuilder($"<table class=\"data\" aria-label=\"{E(label)}\"><thead><tr>");
        foreach (var (header, numeric) in columns)
        {
            html.Append(numeric ? "<th scope=\"col\" class=\"n\">" : "<th scope=\"col\">").Append(E(header)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            for (var i = 0; i < row.Count; i++)
            {
                html.Append(columns[i].Numeric ? "<td class=\"n\">" : "<td>").Append(E(row[i])).Append("</td>");
            }

            html.Append("</tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>A count as the pages write it: 1,234.</summary>
    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>HTML-encodes a text.</summary>
    public static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A text resource embedded in this assembly.</summary>
    public static string Resource(string name)
    {
        using var stream = typeof(AnswersHtml).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource '{name}' is not embedded in Me3.Host.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>A note under a chart or table, if any.</summary>
    public static string Note(string? note) => note is null ? "" : $"<p class=\"note\">{E(note)}</p>";

    private static SvgBarChart.Bar Bar(CountedValue row, Ranking ranking)
    {
        var leader = ranking.Leaders.Contains(row);
        return new SvgBarChart.Bar(AnswerText.Name(row.Value), row.Count, leader, leader ? (ranking.IsTie ? "★ tied leader" : "★ leader") : null);
    }
}
