using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Me3.Host.Analytics;
using Me3.Host.Configuration;
using Me3.Streams.Query.Trino.Server;
using Me3.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Me3.Tests.Host;

/// <summary>The endpoint's limits (queries held, rows, time, abandonment) and who may reach the analytics surface.</summary>
[Collection(TrinoHost.Collection)]
public sealed class TrinoLimitsSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly TempLake _lake = TrinoHost.Landed();

    private TrinoHost Host(Dictionary<string, string?> settings) => new(settings, _lake);

    [Fact]
    public async Task Past_the_most_queries_held_a_new_query_must_get_503_with_Retry_After()
    {
        using var host = Host(new() { ["Me3:Analytics:MaxQueries"] = "1" });
        using var client = host.Factory.CreateClient();

        var (held, first) = await RawTrino.PostAsync(client, "SELECT * FROM range(9000)", RawTrino.TrinoCli);
        var (refused, _) = await RawTrino.PostAsync(client, "SELECT 1", RawTrino.TrinoCli);
        await RawTrino.FollowAsync(client, first);
        var (again, _) = await RawTrino.PostAsync(client, "SELECT 1", RawTrino.TrinoCli);

        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task A_query_whose_client_stops_polling_must_be_cancelled_as_abandoned()
    {
        using var host = Host(new() { ["Me3:Analytics:AbandonSeconds"] = "0.3" });
        using var client = host.Factory.CreateClient();
        var server = host.Factory.Services.GetRequiredService<TrinoServer>();

        var (_, first) = await RawTrino.PostAsync(client, "SELECT * FROM range(9000)", RawTrino.TrinoCli);
        await AwaitAssertAsync(() => Assert.Equal(0, server.ActiveQueries), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));

        var late = await client.GetStringAsync(first.GetProperty("nextUri").GetString());

        Assert.Equal(0, server.ActiveQueries);
        Assert.Contains("\"errorName\":\"ABANDONED_QUERY\"", late, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_result_past_the_row_limit_must_fail_rather_than_end_short()
    {
        using var host = Host(new() { ["Me3:Analytics:MaxRows"] = "5" });
        using var client = host.Factory.CreateClient();

        var within = await RawTrino.RunAsync(client, "SELECT * FROM range(5)");
        var past = await RawTrino.RunAsync(client, "SELECT * FROM range(6)");

        Assert.Equal(("FINISHED", 5), (within.State, within.Rows.Count));
        Assert.Equal("FAILED", past.State);
        Assert.Equal("GENERIC_INSUFFICIENT_RESOURCES", past.Error!.Value.GetProperty("errorName").GetString());
        Assert.Contains("Me3:Analytics:MaxRows", past.Error!.Value.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_past_its_time_limit_must_fail_with_EXCEEDED_TIME_LIMIT()
    {
        using var host = Host(new() { ["Me3:Analytics:QueryTimeoutSeconds"] = "0.5" });
        using var client = host.Factory.CreateClient();

        var result = await RawTrino.RunAsync(client, "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3");

        Assert.Equal("FAILED", result.State);
        Assert.Equal("EXCEEDED_TIME_LIMIT", result.Error!.Value.GetProperty("errorName").GetString());
    }

    [Fact]
    public async Task The_protocol_must_be_off_with_the_analytics_surface()
    {
        using var host = Host(new() { ["Me3:Analytics:Enabled"] = "false" });
        using var client = host.Factory.CreateClient();

        var (response, _) = await RawTrino.PostAsync(client, "SELECT 1", RawTrino.TrinoCli);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/info")).StatusCode);
    }

    [Fact]
    public async Task With_basic_credentials_configured_the_whole_surface_must_require_them()
    {
        using var host = Host(new() { ["Me3:Analytics:User"] = "analyst", ["Me3:Analytics:Password"] = "s3cret" });
        using var client = host.Factory.CreateClient();

        var anonymous = await RawTrino.PostAsync(client, "SELECT 1", RawTrino.TrinoCli);
        var answers = await client.GetAsync("/api/answers");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("analyst:wrong")));
        var wrong = await client.GetAsync("/v1/info");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("analyst:s3cret")));
        var result = await RawTrino.RunAsync(client, "SELECT count(*) FROM purchases");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Response.StatusCode);
        Assert.Contains("Basic realm=\"Me3 analytics\"", anonymous.Response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, answers.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(6, result.Rows.Single()[0].GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/answers")).StatusCode);
        client.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task With_a_token_configured_a_bearer_must_be_let_in()
    {
        using var host = Host(new() { ["Me3:Analytics:Token"] = "t0ken" });
        using var client = host.Factory.CreateClient();

        var anonymous = await client.GetAsync("/v1/info");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "t0ken");
        var bearer = await client.GetAsync("/v1/info");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer realm=\"Me3 analytics\"", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
    }

    [Fact]
    public async Task On_its_own_listener_the_surface_must_answer_there_and_not_on_the_game_port()
    {
        var (game, analytics) = (FreePort(), FreePort());
        await using var host = await HostProcess.StartAsync(_lake.Lake, $"http://127.0.0.1:{game}", new() { ["Me3__Analytics__Urls"] = $"http://127.0.0.1:{analytics}" });
        using var client = new HttpClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"http://127.0.0.1:{game}/v1/info")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{game}/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{analytics}/v1/info")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{analytics}/api/answers")).StatusCode);
        Assert.DoesNotContain("WITHOUT AUTHENTICATION", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_serving_the_surface_to_the_network_without_authentication_must_warn_at_start()
    {
        var port = FreePort();
        await using var host = await HostProcess.StartAsync(_lake.Lake, $"http://0.0.0.0:{port}", []);

        await host.WaitForOutputAsync("WITHOUT AUTHENTICATION");

        Assert.Contains($"listens on http://0.0.0.0:{port} WITHOUT AUTHENTICATION", host.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080", false, null, true)]
    [InlineData("http://[::]:8080", false, null, true)]
    [InlineData("http://+:8080", false, null, true)]
    [InlineData("http://10.0.0.5:8080", false, null, true)]
    [InlineData("http://game.example.com:8080", false, null, true)]
    [InlineData("http://127.0.0.1:8080", false, null, false)]
    [InlineData("http://localhost:5000", false, null, false)]
    [InlineData("http://[::1]:8080", false, null, false)]
    [InlineData("http://0.0.0.0:8080", true, "clear text", true)]
    [InlineData("https://0.0.0.0:8443", true, null, false)]
    public void A_surface_facing_the_network_must_be_warned_about(string address, bool authenticated, string? says, bool warned)
    {
        var options = new AnalyticsOptions { User = authenticated ? "u" : null, Password = authenticated ? "p" : null };

        var warnings = AnalyticsAccess.Warnings([address], options);

        Assert.Equal(warned, warnings.Count > 0);
        if (warned)
        {
            Assert.Contains(says ?? "WITHOUT AUTHENTICATION", warnings[0], StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Me3:Analytics:User", "analyst")]
    [InlineData("Me3:Analytics:Urls", "127.0.0.1:8081")]
    [InlineData("Me3:Analytics:Urls", "http://127.0.0.1")]
    [InlineData("Me3:Analytics:MaxQueries", "0")]
    [InlineData("Me3:Analytics:AbandonSeconds", "0")]
    public void Bad_analytics_settings_must_stop_the_host_naming_the_key(string key, string value)
    {
        using var host = Host(new() { [key] = value });

        var e = Assert.ThrowsAny<Exception>(() => host.Factory.CreateClient());

        Assert.Contains(key, e.ToString(), StringComparison.Ordinal);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _lake.Dispose();
        }

        base.Dispose(disposing);
    }

    void IDisposable.Dispose() => Dispose();

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
