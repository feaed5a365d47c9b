using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Me3.Host.Dashboard;
using Me3.Streams.Query;
using Me3.Tests.Support;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Me3.Tests.Host;

public sealed partial class DashboardSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Ios = "ME3_ios/1.1";
    private const string Android = "ME3_android/2.1";

    /// <summary>Landing takes a batch interval and a refresh or two; a slow, shared machine gets plenty of room.</summary>
    private const float Patience = 30_000;

    private static readonly Dictionary<string, string?> Live = new()
    {
        ["Me3:Analytics:AnswersCacheSeconds"] = "0",
        ["Me3:Analytics:DashboardRefreshSeconds"] = "1",
    };

    [BrowserFact]
    public async Task The_dashboard_must_show_the_posted_events_and_follow_new_ones_without_a_reload()
    {
        await using var host = await KestrelHost.StartAsync(Live);
        await host.PurchaseAsync("alice", "needle", Ios);
        await host.PurchaseAsync("alice", "needle", Android);
        await host.PurchaseAsync("bob", "katana", Ios);
        await host.JoinAsync("bob", "knights", Ios);
        await host.DefaultAsync(Ios);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(host.Url + "/");

        await page.GotoAsync(host.Url + "/dashboard");

        await ShowsAsync(page.Locator("#answer-sword"), "The most popular sword is needle. It was purchased 2 times.");
        await LabelledAsync(page.Locator("#swords svg.wide"), "Sword purchases per sword: needle 2 ★ leader, katana 1");
        await LabelledAsync(page.Locator("#buyers svg.wide"), "Sword purchases of the top 10 buyers: alice 2 ★ leader, bob 1");
        await LabelledAsync(page.Locator("#platforms svg.wide"), "Events per platform: iOS 3 (75.0%), Android 1 (25.0%)");
        await ShowsAsync(page.Locator("#answer-platforms"), "iOS leads Android: 3 events (75.0%) against 1 event (25.0%) (purchases and guild joins).");
        await ShowsAsync(page.Locator("#kpi-accepted .why"), "5 since start, by the game API");
        await ShowsAsync(page.Locator("#kpi-waiting .value"), "0");
        await ShowsAsync(page.Locator("#kpi-other-events .value"), "1");
        await ShowsAsync(page.Locator("#kpi-dead-letters .value"), "0");
        await LabelledAsync(page.Locator("#states .state").Nth(0), "Kafka: healthy");
        await LabelledAsync(page.Locator("#states .state").Nth(1), "Lake: healthy");
        await ShowsAsync(page.Locator("#tables-live tbody tr").Filter(new() { HasText = "purchases" }).Locator("td").Nth(1), "3");
        // Offsets are committed a moment after the rows land, and the page shows them at its next refresh.
        await AwaitAssertAsync(async () =>
        {
            var partitions = await PartitionsAsync(page);
            Assert.Equal(5, partitions.Sum(p => p.Committed ?? 0));
            Assert.All(partitions, p => Assert.True(p.Lag is null or 0, $"partition {p.Partition} lags {p.Lag}"));
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));

        await page.EvaluateAsync("() => { window.me3SamePage = true; }");
        foreach (var _ in Enumerable.Range(0, 3))
        {
            await host.PurchaseAsync("carol", "katana", Android);
        }

        await ShowsAsync(page.Locator("#answer-sword"), "The most popular sword is katana. It was purchased 4 times.");
        await LabelledAsync(page.Locator("#swords svg.wide"), "Sword purchases per sword: katana 4 ★ leader, needle 2");
        await LabelledAsync(page.Locator("#buyers svg.wide"), "Sword purchases of the top 10 buyers: carol 3 ★ leader, alice 2, bob 1");
        await ShowsAsync(page.Locator("#kpi-accepted .why"), "8 since start, by the game API");
        await ShowsAsync(page.Locator("#kpi-waiting .value"), "0");
        Assert.True(await page.EvaluateAsync<bool>("() => window.me3SamePage === true"), "the page changed without a reload");
        await AwaitAssertAsync(async () => Assert.Equal(8, (await PartitionsAsync(page)).Sum(p => p.Committed ?? 0)),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("dashboard-desktop.png"), FullPage = true });

        Assert.Empty(browser.BlockedRequests);
        Assert.Empty(browser.ConsoleErrors);
    }

    [BrowserFact]
    public async Task The_dashboard_must_fit_a_phone_screen_and_refresh_behind_the_analytics_credentials()
    {
        await using var host = await KestrelHost.StartAsync(new(Live) { ["Me3:Analytics:User"] = "designer", ["Me3:Analytics:Password"] = "s3cret" });
        foreach (var (user, sword, agent) in new[] { ("dora", "rapier", Ios), ("dora", "rapier", Ios), ("emil", "claymore", Android), ("finn", "excalibur", Ios) })
        {
            await host.PurchaseAsync(user, sword, agent);
        }

        await host.JoinAsync("emil", "wolves", Android);
        await using var browser = await Browser.LaunchAsync();
        var phone = await browser.NewPageAsync(host.Url + "/", width: 390, height: 844, new() { Username = "designer", Password = "s3cret" });

        await phone.GotoAsync(host.Url + "/dashboard");
        await ShowsAsync(phone.Locator("#kpi-accepted .why"), "5 since start, by the game API");
        await host.PurchaseAsync("gina", "rapier", Android);

        await ShowsAsync(phone.Locator("#answer-sword"), "The most popular sword is rapier. It was purchased 3 times.");
        await ShowsAsync(phone.Locator("#kpi-waiting .value"), "0");
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= 390"), "no sideways scrolling at 390 px");
        var narrowBar = await phone.Locator("#swords svg.narrow .bar rect").First.BoundingBoxAsync();
        Assert.True(narrowBar is { Width: > 100 }, "the phone layout's bars are drawn");
        Assert.Null(await phone.Locator("#swords svg.wide .bar rect").First.BoundingBoxAsync());
        foreach (var tile in await phone.Locator(".kpi, .state, .card, .answer").AllAsync())
        {
            var box = await tile.BoundingBoxAsync();
            Assert.True(box is { X: >= 0 } && box.X + box.Width <= 390, $"{await tile.GetAttributeAsync("id")} fits the screen");
        }

        await phone.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("dashboard-phone.png"), FullPage = true });
        Assert.Empty(browser.BlockedRequests);
        Assert.Empty(browser.ConsoleErrors);
    }

    [Fact]
    public async Task The_dashboard_must_load_only_its_own_script_and_style_sheet()
    {
        using var host = new HostFactory(null);
        using var client = host.CreateClient();

        using var page = await client.GetAsync("/dashboard");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var references = SourceOrLink().Matches(html).Select(m => m.Groups["url"].Value).ToArray();
        Assert.Equal(["/dashboard/dashboard.css", "/dashboard/dashboard.js", "data:,"], references.Order(StringComparer.Ordinal));
        Assert.Equal("text/javascript", (await client.GetAsync("/dashboard/dashboard.js")).Content.Headers.ContentType?.MediaType);
        var css = await client.GetAsync("/dashboard/dashboard.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Contains(".chart.narrow", await css.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_ingestion_JSON_must_count_what_the_game_API_accepted_and_the_lake_landed()
    {
        var topic = "events-" + Guid.NewGuid().ToString("N")[..8];
        using var host = new HostFactory(new() { ["Me3:Kafka:Topic"] = topic });
        using var client = host.CreateClient();
        foreach (var path in new[] { "/purchase_a_sword?user_name=a&sword_name=b", "/purchase_a_sword?user_name=c&sword_name=b", "/join_guild?user_name=a&guild_name=g", "/" })
        {
            (await client.GetAsync(path)).EnsureSuccessStatusCode();
        }

        var health = default(JsonElement);
        await AwaitAssertAsync(async () =>
        {
            health = await client.GetFromJsonAsync<JsonElement>("/api/ingestion");
            Assert.Equal(4, health.GetProperty("accepted").GetProperty("sinceStart").GetInt64());
            Assert.Equal(0, health.GetProperty("waiting").GetInt64());
            Assert.Equal(4, Sum(health, "committed"));
            Assert.Equal("healthy", health.GetProperty("lake").GetProperty("state").GetString());
            Assert.Equal("healthy", health.GetProperty("kafka").GetProperty("state").GetString());
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));

        Assert.Equal(topic, health.GetProperty("topic").GetString());
        Assert.Equal("Running", health.GetProperty("ingestionState").GetString());
        Assert.Equal(4, Sum(health, "endOffset"));
        Assert.Equal(4, Sum(health, "committed"));
        Assert.Equal([0, 1, 2, 3], health.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("partition").GetInt32()));
        Assert.All(health.GetProperty("partitions").EnumerateArray(), p =>
            Assert.True(p.GetProperty("lag").ValueKind == JsonValueKind.Null || p.GetProperty("lag").GetInt64() == 0));
        Assert.Contains("4 partitions", health.GetProperty("kafka").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, health.GetProperty("lastLanded").ValueKind);

        // Rows landed are the process's (other hosts in this test process land too): at least this host's.
        var tables = health.GetProperty("tables").EnumerateArray().ToDictionary(t => t.GetProperty("table").GetString()!, t => t.GetProperty("rows").GetInt64());
        Assert.True(tables["purchases"] >= 2 && tables["gjoins"] >= 1 && tables["other_events"] >= 1);
    }

    [Fact]
    public async Task The_dashboard_must_ask_for_the_analytics_credentials()
    {
        using var host = new HostFactory(new() { ["Me3:Analytics:User"] = "designer", ["Me3:Analytics:Password"] = "s3cret" });
        using var client = host.CreateClient();
        using var credentials = new HttpClient(host.Server.CreateHandler()) { BaseAddress = client.BaseAddress };
        credentials.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String("designer:s3cret"u8.ToArray()));

        foreach (var path in new[] { "/dashboard", "/dashboard/live", "/dashboard/dashboard.js", "/dashboard/dashboard.css", "/api/ingestion" })
        {
            using var refused = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.StartsWith("Basic", refused.Headers.WwwAuthenticate.First().Scheme, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await credentials.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task The_dashboard_must_be_off_with_the_analytics_surface()
    {
        using var host = new HostFactory(new() { ["Me3:Analytics:Enabled"] = "false" });
        using var client = host.CreateClient();

        foreach (var path in new[] { "/dashboard", "/dashboard/live", "/dashboard/dashboard.js", "/dashboard/dashboard.css", "/api/ingestion" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public void The_dashboard_must_say_every_state_in_words_and_explain_an_unreadable_lake()
    {
        var health = new IngestionHealth(DateTime.UtcNow, "events",
            new ComponentHealth(HealthState.Degraded, "Kafka answers, but the ingestion has not joined its consumer group yet"),
            new ComponentHealth(HealthState.Healthy, "the ingestion runs"), "Running", 0,
            new Throughput(null, 0), new Throughput(2.5, 10), 0, null, [], []).WithUnreadableLake("IO Error: No files found");

        var html = DashboardPage.Render(new DashboardView(null, health, 2));

        Assert.Contains("aria-label=\"Kafka: degraded\"", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"Lake: down\"", html, StringComparison.Ordinal);
        Assert.Contains("</span> degraded</p>", html, StringComparison.Ordinal);
        Assert.Contains("</span> down</p>", html, StringComparison.Ordinal);
        Assert.Contains("the lake cannot be queried: IO Error: No files found", html, StringComparison.Ordinal);
        Assert.Contains("id=\"swords-live\"><p class=\"unavailable\">", html, StringComparison.Ordinal);
        Assert.Contains("Not available while the lake cannot be queried.", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"value\">2.5/s</p>", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"value\">—</p>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(QueryException), html, StringComparison.Ordinal);
    }

    private static Task ShowsAsync(ILocator locator, string text) =>
        Expect(locator).ToHaveTextAsync(text, new() { Timeout = Patience });

    private static Task LabelledAsync(ILocator locator, string label) =>
        Expect(locator).ToHaveAttributeAsync("aria-label", label, new() { Timeout = Patience });

    private static async Task<IReadOnlyList<(int Partition, long? Committed, long? Lag)>> PartitionsAsync(IPage page)
    {
        var rows = new List<(int, long?, long?)>();
        foreach (var row in await page.Locator("#partitions-live tbody tr").AllAsync())
        {
            var cells = await row.Locator("td").AllInnerTextsAsync();
            rows.Add((int.Parse(cells[0], System.Globalization.CultureInfo.InvariantCulture), Count(cells[2]), Count(cells[3])));
        }

        return rows;
    }

    private static long? Count(string text) =>
        text == "—" ? null : long.Parse(text, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);

    private static long Sum(JsonElement health, string offset) =>
        health.GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty(offset).ValueKind == JsonValueKind.Null ? 0 : p.GetProperty(offset).GetInt64());

    [GeneratedRegex("(?:src|href)=\"(?<url>[^\"]*)\"", RegexOptions.None, 1000)]
    private static partial Regex SourceOrLink();
}
