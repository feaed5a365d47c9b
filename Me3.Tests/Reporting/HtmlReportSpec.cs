using Me3.Samples.Commands;
using Me3.Samples.Reporting;
using Me3.Streams.Dsl;
using Me3.Streams.Query;
using Me3.Streams.Query.DuckDb;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Reporting;

public sealed class HtmlReportSpec : LakeSpec
{
    private async Task<string> ReportAsync()
    {
        var file = Temp.File("events.jsonl");
        GenerateCommand.Generate(file, 2000, seed: 3);
        await IngestAsync(Me3Source.JsonLines(file), Settings(batchRecords: 100_000));
        var catalog = new LakeCatalog(Temp.Lake);
        await using var engine = new DuckDbQueryEngine(catalog);
        var answers = await new BusinessQuestions(engine).AnswerAllAsync(catalog);
        var path = Temp.File("report.html");
        ReportCommand.WriteHtml(path, HtmlReport.Render(answers, Temp.Lake));
        return path;
    }

    [Fact]
    public async Task The_report_must_be_one_self_contained_file()
    {
        var html = await File.ReadAllTextAsync(await ReportAsync());

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(BusinessQuestions.MostPopularSwordSql, html, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task The_report_must_show_the_answers_and_non_empty_charts_in_a_real_browser()
    {
        var path = await ReportAsync();
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync("file://");

        await page.GotoAsync("file://" + path);

        Assert.StartsWith("The most popular sword is", await page.Locator("#answer-sword").InnerTextAsync(), StringComparison.Ordinal);
        Assert.StartsWith("The top buyer is", await page.Locator("#answer-buyer").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("iOS", await page.Locator("#answer-platforms").InnerTextAsync(), StringComparison.Ordinal);
        foreach (var chart in new[] { "#swords svg.wide .bar rect", "#buyers svg.wide .bar rect", "#platforms svg.wide .share rect" })
        {
            var bars = page.Locator(chart);
            Assert.True(await bars.CountAsync() >= 2, chart);
            var box = await bars.First.BoundingBoxAsync();
            Assert.True(box is { Width: > 10, Height: > 10 }, chart);
        }

        Assert.True(await page.Locator("#swords .bar.leader").CountAsync() >= 1, "the leader is marked");
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("report-desktop.png"), FullPage = true });

        var phone = await browser.NewPageAsync("file://", width: 390, height: 844);
        await phone.GotoAsync("file://" + path);
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= 390"), "no sideways scrolling at 390 px");
        var narrowBar = await phone.Locator("#swords svg.narrow .bar rect").First.BoundingBoxAsync();
        Assert.True(narrowBar is { Width: > 100 }, "the phone layout's bars are drawn");
        Assert.Null(await phone.Locator("#swords svg.wide .bar rect").First.BoundingBoxAsync());
        await phone.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("report-phone.png"), FullPage = true });

        Assert.Empty(browser.BlockedRequests);
        Assert.Empty(browser.ConsoleErrors);
    }
}
