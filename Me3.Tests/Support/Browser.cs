using Microsoft.Playwright;
using Xunit;

namespace Me3.Tests.Support;

/// <summary>
/// Debian's Chromium driven by Playwright for .NET: no browser is downloaded. Pages may load nothing but what the test
/// serves (other requests are blocked and recorded), and console errors are recorded.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public List<string> BlockedRequests { get; } = [];

    public List<string> ConsoleErrors { get; } = [];

    public static async Task<Browser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new Browser(playwright, browser);
    }

    /// <summary>A page of the given width that may load only URLs starting with <paramref name="allowedPrefix"/>, and
    /// answers HTTP authentication challenges with <paramref name="credentials"/> if given.</summary>
    public async Task<IPage> NewPageAsync(string allowedPrefix, int width = 1280, int height = 900, HttpCredentials? credentials = null)
    {
        var page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height }, HttpCredentials = credentials });
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (ConsoleErrors)
                {
                    ConsoleErrors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (ConsoleErrors)
            {
                ConsoleErrors.Add(error);
            }
        };
        await page.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith(allowedPrefix, StringComparison.Ordinal))
            {
                await route.ContinueAsync();
                return;
            }

            lock (BlockedRequests)
            {
                BlockedRequests.Add(route.Request.Url);
            }

            await route.AbortAsync();
        });
        return page;
    }

    /// <summary>Where screenshots go: a folder in the test output.</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>
/// A test that needs Debian's Chromium. Without it the test is skipped with the command that installs it, unless
/// <c>ME3_BROWSER_TESTS=required</c> (set by .ci/run), when it runs and fails.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!File.Exists(Browser.ChromiumPath) && Environment.GetEnvironmentVariable("ME3_BROWSER_TESTS") != "required")
        {
            Skip = $"needs Debian's Chromium at {Browser.ChromiumPath}: sudo apt-get install -y chromium (.ci/run installs it)";
        }
    }
}
