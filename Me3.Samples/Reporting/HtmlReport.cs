using System.Globalization;
using Me3.Host.Reporting;
using Me3.Streams.Query;
using static Me3.Host.Reporting.AnswersHtml;

namespace Me3.Samples.Reporting;

/// <summary>
/// The business answers as one self-contained HTML file: the answers in words, bar charts of swords and top buyers,
/// the iOS/Android split, table sizes and the SQL behind each. Inline CSS and SVG only: no script, no font, nothing
/// loaded from anywhere when it is opened. The answers are drawn as the dashboard draws them (<see cref="AnswersHtml"/>).
/// </summary>
internal static class HtmlReport
{
    public static string Render(LakeAnswers answers, string? lakePath, string? dashboardUrl = null)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var tables = Table("Rows and files per table", [("table", false), ("rows", true), ("files", true)],
            answers.Tables.Select(t => new[] { t.Table, Number(t.Rows), t.Files is { } f ? Number(f) : "" }));
        return $"""
            {PageStart("Mid-EVIL III: what the lake says", $"<style>{Css}</style>")}
            <body>
            <header>
              <h1>Mid-EVIL III: what the lake says</h1>
              <p class="meta">Answered {E(answers.AsOf.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))} by {E(answers.Engine)}.{(dashboardUrl is null ? "" : $" Live: <a href=\"{E(dashboardUrl)}\">{E(dashboardUrl)}</a>.")}</p>
            </header>
            <main>
            {Sentences(answers)}
            {SwordsCard(Swords(answers))}
            {BuyersCard(Buyers(answers))}
            {PlatformsCard(Platforms(answers))}
            {Card("tables", "Tables", tables + Note(lakePath is null ? null : $"Lake: {lakePath}"), [.. answers.Tables.Select(t => $"SELECT count(*) FROM {t.Table}")])}
            </main>
            <footer>Me3 Streams: Mid-EVIL III events, landed exactly once in a Snappy Parquet lake, answered with the reference pipeline's own SQL.</footer>
            </body>
            </html>
            """;
    }
}
