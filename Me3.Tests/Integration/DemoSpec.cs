using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Me3.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Me3.Tests.Integration;

/// <summary>The demo, run from the built CLI as a newcomer runs it: the answers it prints are the lake's, and a second
/// run on the same lake adds exactly its own events.</summary>
public sealed partial class DemoSpec(ITestOutputHelper output) : IDisposable
{
    private readonly TempLake _temp = new();

    [Fact]
    public async Task The_demo_must_print_the_lakes_answers_and_a_second_run_must_land_only_its_own_events()
    {
        var first = await RunDemoAsync(events: 300, seed: 1);
        Assert.Contains("this run:  300 events accepted by the game API, 300 landed (the lake held 0 before, 300 now)", first, StringComparison.Ordinal);
        AssertAnswersMatchTheLake(first);
        Assert.True(File.Exists(Path.Combine(_temp.Root, "me3-report.html")));

        var second = await RunDemoAsync(events: 200, seed: 2);
        Assert.Contains("this run:  200 events accepted by the game API, 200 landed (the lake held 300 before, 500 now)", second, StringComparison.Ordinal);
        AssertAnswersMatchTheLake(second);

        using var duck = new DuckLake(_temp.Lake);
        var tables = new[] { "purchases", "gjoins", "other_events" };
        Assert.Equal(500, tables.Sum(duck.Count));
        var ids = tables.SelectMany(t => duck.Rows($"SELECT event_id FROM {duck.Table(t)}")).Select(r => (string)r[0]!).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(0, duck.Count("dead_letters"));
    }

    [Fact]
    public async Task The_demo_kept_running_must_serve_the_dashboard_and_its_JSON()
    {
        var port = FreePort();
        using var process = ChildProcess.Start("Me3.Samples",
            ["demo", "--events", "40", "--lake", _temp.Lake, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--keep-running"]);
        var stderr = process.StandardError.ReadToEndAsync();
        var printed = new System.Text.StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line && !line.Contains("Ctrl+C stops it", StringComparison.Ordinal))
        {
            printed.AppendLine(line);
        }

        output.WriteLine(printed.ToString());
        Assert.Contains($"dashboard: http://127.0.0.1:{port}/dashboard", printed.ToString(), StringComparison.Ordinal);

        // The CLI has no reflection-based JSON: the host's documents must serialize all the same.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var dashboard = await http.GetAsync("/dashboard", timeout.Token);
        using var answers = await http.GetAsync("/api/answers", timeout.Token);
        using var ingestion = await http.GetAsync("/api/ingestion", timeout.Token);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal(HttpStatusCode.OK, answers.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ingestion.StatusCode);
        Assert.Contains("\"mostPopularSword\"", await answers.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
        Assert.Contains("\"accepted\"", await ingestion.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);

        ChildProcess.Terminate(process);
        await process.WaitForExitAsync(timeout.Token);
        output.WriteLine(await stderr);
        Assert.Equal(0, process.ExitCode);
    }

    private void AssertAnswersMatchTheLake(string printed)
    {
        using var duck = new DuckLake(_temp.Lake);
        var top = duck.Rows($"SELECT sword_name, count(*) n FROM {duck.Table("purchases")} GROUP BY 1 ORDER BY 2 DESC, 1").First();
        Assert.Contains($"The most popular sword is {top[0]}. It was purchased {top[1]:N0} times.", printed, StringComparison.Ordinal);
        var buyer = duck.Rows($"SELECT user_name, count(*) n FROM {duck.Table("purchases")} GROUP BY 1 ORDER BY 2 DESC, 1").First();
        Assert.Contains($"The top buyer is {buyer[0]}, with {buyer[1]:N0} sword purchases.", printed, StringComparison.Ordinal);
        var ios = duck.Scalar<long>(
            $"SELECT count(*) FROM (SELECT user_agent FROM {duck.Table("purchases")} UNION ALL SELECT user_agent FROM {duck.Table("gjoins")}) WHERE user_agent LIKE 'ME3_ios/%'");
        Assert.Matches($"iOS leads Android: {ios:N0} events|Android leads iOS: .* against {ios:N0} events", Flatten(printed));
    }

    private async Task<string> RunDemoAsync(int events, int seed)
    {
        using var process = ChildProcess.Start("Me3.Samples",
            ["demo", "--events", events.ToString(System.Globalization.CultureInfo.InvariantCulture), "--lake", _temp.Lake,
             "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        output.WriteLine(await stdout);
        output.WriteLine(await stderr);
        Assert.True(process.ExitCode == 0, $"demo exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    /// <summary>The terminal wraps long sentences: compare them as one line.</summary>
    private static string Flatten(string text) => Spaces().Replace(text, " ");

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    public void Dispose() => _temp.Dispose();
}
