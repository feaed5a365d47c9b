using System.Globalization;
using System.Net;
using System.Text;
using Me3.Streams.Query;

namespace Me3.Samples.Reporting;

/// <summary>
/// The business answers as one self-contained HTML file: the answers in words, bar charts of swords and top buyers,
/// the iOS/Android split, table sizes and the SQL behind each. Inline CSS and SVG only: no script, no font, nothing
/// loaded from anywhere when it is opened.
/// </summary>
internal static class HtmlReport
{
    public const int TopBuyers = 10;
    public const int MaxSwords = 15;

    public static string Render(LakeAnswers answers, string? lakePath, string? dashboardUrl = null)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var html = new StringBuilder();
        var swords = answers.MostPopularSword;
        var buyers = answers.TopBuyer;
        var platforms = answers.Platforms;
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Mid-EVIL III: what the lake says</title>
            <style>{{Css}}</style>
            </head>
            <body>
            <header>
              <h1>Mid-EVIL III: what the lake says</h1>
              <p class="meta">Answered {{E(answers.AsOf.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))}} by {{E(answers.Engine)}}.{{(dashboardUrl is null ? "" : $" Live: <a href=\"{E(dashboardUrl)}\">{E(dashboardUrl)}</a>.")}}</p>
            </header>
            <main>
            <section class="answers" aria-label="The answers">
              <article class="answer"><h2>Most popular sword</h2><p id="answer-sword">{{E(AnswerText.MostPopularSword(swords))}}</p></article>
              <article class="answer"><h2>Top buyer</h2><p id="answer-buyer">{{E(AnswerText.TopBuyer(buyers))}}</p></article>
              <article class="answer"><h2>iOS vs Android</h2><p id="answer-platforms">{{E(AnswerText.Platforms(platforms))}}</p></article>
            </section>
            """);

        html.Append(Section("swords", "Sword purchases per sword",
            SvgBarChart.Render("Sword purchases per sword", [.. swords.Rows.Take(MaxSwords).Select(r => Bar(r, swords))], "swords"),
            swords.Rows.Count > MaxSwords ? $"Showing {MaxSwords} of {swords.Rows.Count:N0} swords." : null,
            [swords.Sql]));
        html.Append(Section("buyers", $"Top {TopBuyers} buyers",
            SvgBarChart.Render($"Sword purchases of the top {TopBuyers} buyers", [.. buyers.Rows.Take(TopBuyers).Select(r => Bar(r, buyers))], "buyers"),
            buyers.Rows.Count > 0 ? $"{buyers.Rows.Count:N0} players bought {buyers.Total:N0} swords." : null,
            [buyers.Sql]));

        var parts = platforms.ByPlatform
            .Select(p => (AnswerText.PlatformName(p.Value), p.Count, p.Value is "ios" or "android" ? p.Value : "other"))
            .ToArray();
        var agents = new StringBuilder("<table class=\"data\"><thead><tr><th>user agent</th><th>platform</th><th class=\"n\">events</th></tr></thead><tbody>");
        foreach (var agent in platforms.ByUserAgent.Take(20))
        {
            agents.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(AnswerText.Name(agent.Value))}</td><td>{E(AnswerText.PlatformName(BusinessQuestions.PlatformOf(agent.Value)))}</td><td class=\"n\">{agent.Count:N0}</td></tr>");
        }

        agents.Append("</tbody></table>");
        html.Append(Section("platforms", "iOS vs Android (purchases and guild joins)",
            SvgBarChart.Split("Events per platform", parts) + agents,
            platforms.ByUserAgent.Count > 20 ? $"Showing 20 of {platforms.ByUserAgent.Count:N0} user agents." : null,
            [platforms.PurchasesSql, platforms.GuildJoinsSql]));

        var tables = new StringBuilder("<table class=\"data\"><thead><tr><th>table</th><th class=\"n\">rows</th><th class=\"n\">files</th></tr></thead><tbody>");
        foreach (var t in answers.Tables)
        {
            tables.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(t.Table)}</td><td class=\"n\">{t.Rows:N0}</td><td class=\"n\">{(t.Files is { } f ? f.ToString("N0", CultureInfo.InvariantCulture) : "")}</td></tr>");
        }

        tables.Append("</tbody></table>");
        html.Append(Section("tables", "Tables", tables.ToString(), lakePath is null ? null : $"Lake: {lakePath}",
            [.. answers.Tables.Select(t => $"SELECT count(*) FROM {t.Table}")]));
        html.Append("""
            </main>
            <footer>Me3 Streams: Mid-EVIL III events, landed exactly once in a Snappy Parquet lake, answered with the reference pipeline's own SQL.</footer>
            </body>
            </html>
            """);
        return html.ToString();
    }

    private static SvgBarChart.Bar Bar(CountedValue row, Ranking ranking)
    {
        var leader = ranking.Leaders.Contains(row);
        return new SvgBarChart.Bar(AnswerText.Name(row.Value), row.Count, leader, leader ? (ranking.IsTie ? "★ tied leader" : "★ leader") : null);
    }

    private static string Section(string id, string title, string body, string? note, IReadOnlyList<string> sql) =>
        $"""
        <section class="card" id="{id}">
          <h2>{E(title)}</h2>
          {body}
          {(note is null ? "" : $"<p class=\"note\">{E(note)}</p>")}
          <details><summary>SQL</summary><pre><code>{E(string.Join(";\n", sql))};</code></pre></details>
        </section>

        """;

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        :root { --ink: #1d2433; --muted: #5b6478; --bg: #f5f6fa; --card: #fff; --bar: #5470c6; --lead: #c0392b; --ios: #2f6fdf; --android: #2e9e5b; --other: #9aa3b5; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
        header { background: #1d2433; color: #fff; padding: 28px 32px; }
        header h1 { margin: 0 0 6px; font-size: 28px; }
        header .meta { margin: 0; color: #c9cfdc; font-size: 14px; }
        header a { color: #9ec1ff; }
        main { max-width: 1040px; margin: 0 auto; padding: 24px 16px 8px; display: grid; gap: 20px; }
        .answers { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 16px; }
        .answer, .card { background: var(--card); border-radius: 10px; box-shadow: 0 1px 3px rgba(20, 30, 60, .12); padding: 18px 22px; }
        .answer h2 { margin: 0 0 6px; font-size: 14px; letter-spacing: .02em; color: var(--muted); }
        .answer p { margin: 0; font-size: 18px; font-weight: 600; }
        .card h2 { margin: 0 0 12px; font-size: 20px; }
        .chart { display: block; max-width: 100%; height: auto; font-size: 14px; }
        .chart.narrow { display: none; font-size: 13px; }
        @media (max-width: 600px) { .chart.wide { display: none; } .chart.narrow { display: block; } }
        .chart .label { fill: var(--ink); }
        .chart .value { fill: var(--muted); font-variant-numeric: tabular-nums; }
        .chart .bar rect { fill: var(--bar); }
        .chart .bar.leader rect { fill: var(--lead); }
        .chart .bar.leader .value { fill: var(--lead); font-weight: 700; }
        .chart .empty { fill: var(--muted); font-style: italic; }
        .split .ios rect { fill: var(--ios); } .split .android rect { fill: var(--android); } .split .other rect { fill: var(--other); }
        .split .inside { fill: #fff; font-weight: 700; } .split .under { fill: var(--ink); font-size: 13px; } .split .under.n { fill: var(--muted); }
        table.data { border-collapse: collapse; width: 100%; margin-top: 12px; font-size: 14px; }
        table.data th, table.data td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e4e7ef; }
        table.data .n { text-align: right; font-variant-numeric: tabular-nums; }
        .note { color: var(--muted); font-size: 14px; margin: 8px 0 0; }
        details { margin-top: 10px; } summary { cursor: pointer; color: var(--muted); font-size: 14px; }
        pre { background: #f0f2f7; padding: 10px 12px; border-radius: 6px; overflow-x: auto; font-size: 13px; }
        footer { max-width: 1040px; margin: 0 auto; padding: 8px 16px 32px; color: var(--muted); font-size: 13px; }
        @media (max-width: 520px) { header { padding: 20px 16px; } header h1 { font-size: 22px; } .answer p { font-size: 16px; } }
        """;
}
