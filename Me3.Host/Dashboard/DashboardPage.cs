using System.Globalization;
using System.Text;
using Me3.Streams.Query;
using static Me3.Host.Reporting.AnswersHtml;

namespace Me3.Host.Dashboard;

/// <summary>What one rendering of the dashboard shows.</summary>
/// <param name="Answers">The answers; null when the lake cannot be queried (the health says why).</param>
/// <param name="Health">The ingestion's health.</param>
/// <param name="RefreshSeconds">How often the page refreshes its live parts.</param>
internal sealed record DashboardView(LakeAnswers? Answers, IngestionHealth Health, double RefreshSeconds);

/// <summary>
/// The dashboard as HTML, rendered on the server: the whole page for <c>GET /dashboard</c>, and its live parts alone
/// for <c>GET /dashboard/live</c>, which the page's script fetches every few seconds and swaps in by id. Both come from
/// the same methods below, so a refreshed part is exactly what a reload would show. Charts are the HTML report's
/// (<see cref="Reporting.SvgBarChart"/>); every state is written in words beside its colour.
/// </summary>
internal static class DashboardPage
{
    public const string Path = "/dashboard";

    /// <summary>The swords and buyers charts sit side by side, in cards about this many pixels wide.</summary>
    private const int HalfChartWidth = 560;

    /// <summary>The platform split spans the page.</summary>
    private const int FullChartWidth = 1100;

    /// <summary>The whole page.</summary>
    public static string Render(DashboardView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var seconds = view.RefreshSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var head = $"""
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="{Path}/dashboard.css">
            <script src="{Path}/dashboard.js" defer></script>
            """;
        return $"""
            {PageStart("Mid-EVIL III: live", head)}
            <body data-live="{Path}/live" data-refresh-seconds="{seconds}">
            <header class="top">
              <h1>Mid-EVIL III: live</h1>
              <p class="meta">What the lake says and how the pipeline is doing, refreshed every {seconds} s without reloading.</p>
              {Updated(view)}
            </header>
            <p id="connection" class="connection" role="status" hidden></p>
            <main class="dashboard">
            <section class="group" aria-labelledby="pipeline-title">
              <h2 id="pipeline-title" class="section">Pipeline</h2>
              {States(view.Health)}
              {Flow(view)}
            </section>
            <section class="group" aria-labelledby="answers-title">
              <h2 id="answers-title" class="section">Answers</h2>
              {AnswerSentences(view.Answers)}
              <div class="pair">
              {SwordsCard(Live(view, a => Swords(a, HalfChartWidth)))}
              {BuyersCard(Live(view, a => Buyers(a, HalfChartWidth)))}
              </div>
              {PlatformsCard(Live(view, a => Platforms(a, FullChartWidth)))}
            </section>
            <section class="group" aria-labelledby="details-title">
              <h2 id="details-title" class="section">Partitions and tables</h2>
              <div class="pair">
              {Card("partitions", "Consumer lag per partition", Partitions(view.Health), [])}
              {Card("tables", "Tables", Tables(view), [.. TableNames(view).Select(t => $"SELECT count(*) FROM {t}")])}
              </div>
            </section>
            </main>
            <footer>The same numbers as JSON: <code>{E("/api/answers")}</code> (the answers) and <code>{E("/api/ingestion")}</code> (the pipeline); Prometheus reads them at <code>/metrics</code>.</footer>
            </body>
            </html>
            """;
    }

    /// <summary>The live parts alone, each an element whose id the page holds.</summary>
    public static string RenderLive(DashboardView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new StringBuilder()
            .AppendLine(Updated(view))
            .AppendLine(States(view.Health))
            .AppendLine(Flow(view))
            .AppendLine(AnswerSentences(view.Answers))
            .AppendLine(LivePart("swords", Live(view, a => Swords(a, HalfChartWidth))))
            .AppendLine(LivePart("buyers", Live(view, a => Buyers(a, HalfChartWidth))))
            .AppendLine(LivePart("platforms", Live(view, a => Platforms(a, FullChartWidth))))
            .AppendLine(LivePart("partitions", Partitions(view.Health)))
            .AppendLine(LivePart("tables", Tables(view)))
            .ToString();
    }

    private static string Live(DashboardView view, Func<LakeAnswers, string> render) =>
        view.Answers is { } answers ? render(answers) : $"<p class=\"unavailable\">{E(view.Health.Lake.Detail)}</p>";

    private static string Updated(DashboardView view)
    {
        var answered = view.Answers is { } a ? $"; answers by {a.Engine}" : "";
        return $"<p id=\"updated\" class=\"meta\">Updated {E(Time(view.Health.AsOf))}{E(answered)}.</p>";
    }

    private static string AnswerSentences(LakeAnswers? answers) => answers is not null
        ? Sentences(answers)
        : """<section class="answers" id="answers" aria-label="The answers"><article class="answer"><h2>The answers</h2><p>Not available while the lake cannot be queried.</p></article></section>""";

    private static string States(IngestionHealth health) =>
        $"""<div id="states" class="states">{State("Kafka", health.Kafka)}{State("Lake", health.Lake)}</div>""";

    private static string State(string name, ComponentHealth health)
    {
        var (css, mark, word) = health.State switch
        {
            HealthState.Healthy => ("healthy", "✔", "healthy"),
            HealthState.Degraded => ("degraded", "▲", "degraded"),
            HealthState.Down => ("down", "✖", "down"),
            _ => ("unknown", "…", "not checked yet"),
        };
        return $"""
            <div class="state {css}" role="group" aria-label="{E($"{name}: {word}")}">
              <h3>{E(name)}</h3>
              <p class="verdict"><span class="mark" aria-hidden="true">{mark}</span> {E(word)}</p>
              <p class="why">{E(health.Detail)}</p>
            </div>
            """;
    }

    private static string Flow(DashboardView view)
    {
        var health = view.Health;
        var tables = view.Answers?.Tables;
        var html = new StringBuilder("<div id=\"flow\" class=\"kpis\">");
        html.Append(Kpi("accepted", "Events accepted", PerSecond(health.Accepted), $"{Number(health.Accepted.SinceStart)} since start, by the game API"));
        html.Append(Kpi("landed", "Events landed", PerSecond(health.Landed), $"{Number(health.Landed.SinceStart)} rows since start, all tables"));
        html.Append(Kpi("waiting", "Waiting in Kafka", Number(health.Waiting), "records read or to read, not landed yet"));
        html.Append(Kpi("last-landed", "Last batch landed", health.LastLanded is { } last ? Clock(last) : "none yet",
            health.LastLanded is { } at ? $"UTC, {Ago(health.AsOf, at)}" : "since this host started"));
        foreach (var (id, table, title) in new[] { ("dead-letters", "dead_letters", "Dead letters"), ("other-events", "other_events", "Other events") })
        {
            var inLake = tables?.FirstOrDefault(t => t.Table == table)?.Rows;
            var landed = health.Tables.FirstOrDefault(t => t.Table == table)?.Rows ?? 0;
            html.Append(Kpi(id, title, inLake is { } rows ? Number(rows) : "—", $"in the lake; {Number(landed)} landed since start"));
        }

        return html.Append("</div>").ToString();
    }

    private static string Kpi(string id, string title, string value, string detail) =>
        $"""<div class="kpi" id="kpi-{id}"><h3>{E(title)}</h3><p class="value">{E(value)}</p><p class="why">{E(detail)}</p></div>""";

    private static string Partitions(IngestionHealth health)
    {
        if (health.Partitions.Count == 0)
        {
            return Note($"No partition of topic {health.Topic} read by this host yet.");
        }

        static string Offset(long? value) => value is { } v ? Number(v) : "—";
        return Table($"Consumer lag per partition of topic {health.Topic}", [("partition", false), ("end offset", true), ("committed", true), ("lag", true)],
                health.Partitions.Select(p => new[] { p.Partition.ToString(CultureInfo.InvariantCulture), Offset(p.EndOffset), Offset(p.Committed), Offset(p.Lag) }))
            + Note($"Topic {health.Topic}. Lag = end offset − committed offset: records in Kafka not landed yet; — where this host has fetched nothing yet.");
    }

    private static string Tables(DashboardView view)
    {
        var health = view.Health;
        var rows = TableNames(view).Select(name =>
        {
            var lake = view.Answers?.Tables.FirstOrDefault(t => t.Table == name);
            var landing = health.Tables.FirstOrDefault(t => t.Table == name);
            return new[]
            {
                name,
                lake is null ? "—" : Number(lake.Rows),
                lake?.Files is { } files ? Number(files) : "—",
                Number(landing?.Rows ?? 0),
                landing?.LastLanded is { } at ? Clock(at) : "—",
            };
        });
        return Table("Rows and files per table", [("table", false), ("rows", true), ("files", true), ("landed since start", true), ("last landed (UTC)", true)], rows)
            + Note("Rows and files: what the lake holds, counted by the query engine. Landed since start and last landed: the ingestion in this process.");
    }

    private static IEnumerable<string> TableNames(DashboardView view) =>
        (view.Answers?.Tables.Select(t => t.Table) ?? []).Concat(view.Health.Tables.Select(t => t.Table)).Distinct(StringComparer.Ordinal);

    private static string PerSecond(Throughput throughput) => throughput.PerSecond switch
    {
        null => "—",
        var r when r < 10 => string.Create(CultureInfo.InvariantCulture, $"{r:0.0}/s"),
        var r => string.Create(CultureInfo.InvariantCulture, $"{r:N0}/s"),
    };

    private static string Clock(DateTime utc) => utc.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Ago(DateTime now, DateTime then)
    {
        var seconds = Math.Max(0, (now - then).TotalSeconds);
        return seconds switch
        {
            < 1 => "just now",
            < 120 => string.Create(CultureInfo.InvariantCulture, $"{seconds:N0} s ago"),
            < 7200 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:N0} min ago"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:N0} h ago"),
        };
    }
}
