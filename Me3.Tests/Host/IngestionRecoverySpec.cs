using System.Net;
using Me3.Streams.Hosting;
using Me3.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Me3.Tests.Host;

/// <summary>A failing ingestion is restarted with backoff, reported, and declared dead only when restarts run out.</summary>
public sealed class IngestionRecoverySpec : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>A file where the purchases table's directory belongs: every write to it fails until it is removed.</summary>
    private static TempLake BlockedLake()
    {
        var lake = new TempLake();
        Directory.CreateDirectory(lake.Lake);
        File.WriteAllText(Path.Combine(lake.Lake, "purchases"), "not a directory");
        return lake;
    }

    private static Dictionary<string, string?> Restarts(int max) => new()
    {
        ["Me3:Ingest:MaxRestarts"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Me3:Ingest:RestartMinBackoffSeconds"] = "0.1",
        ["Me3:Ingest:RestartMaxBackoffSeconds"] = "0.3",
    };

    [Fact]
    public async Task A_failed_ingestion_must_restart_with_backoff_and_land_once_the_cause_is_gone()
    {
        using var lake = BlockedLake();
        using var host = new HostFactory(Restarts(max: 1000), lake);
        using var client = host.CreateClient();
        var status = host.Services.GetRequiredService<Me3IngestionStatus>();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/purchase_a_sword?user_name=survivor&sword_name=s")).StatusCode);

        await AwaitAssertAsync(() => Assert.True(status.Restarts >= 2, $"{status.Restarts} restarts"), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50));
        Assert.Contains("purchases", status.Failure?.Message);
        using (var alive = await client.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode); // restarting is not dead
        }

        Assert.Matches(@"me3_ingestion_restarts_total(\{[^}]*\})? [1-9]", await client.GetStringAsync("/metrics"));

        File.Delete(Path.Combine(lake.Lake, "purchases"));
        await AwaitAssertAsync(() =>
        {
            using var duck = new DuckLake(lake.Lake);
            Assert.Equal(1, duck.Count("purchases"));
        }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        Assert.Equal(Me3IngestionState.Running, status.State);
    }

    [Fact]
    public async Task When_restarts_run_out_liveness_must_fail_and_say_why()
    {
        using var lake = BlockedLake();
        using var host = new HostFactory(Restarts(max: 1), lake);
        using var client = host.CreateClient();
        Assert.Equal("ok", await client.GetStringAsync("/healthz"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/purchase_a_sword?user_name=doomed&sword_name=s")).StatusCode);

        await AwaitAssertAsync(async () =>
        {
            using var alive = await client.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, alive.StatusCode);
            var why = await alive.Content.ReadAsStringAsync();
            Assert.Contains("down for good", why);
            Assert.Contains("purchases", why);
        }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        Assert.Equal(Me3IngestionState.Failed, host.Services.GetRequiredService<Me3IngestionStatus>().State);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/readyz")).StatusCode);
    }
}
