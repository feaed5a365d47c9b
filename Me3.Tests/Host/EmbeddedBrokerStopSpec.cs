using System.Net;
using Me3.Streams.Hosting;
using Me3.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Me3.Tests.Host;

/// <summary>The embedded broker keeps events only in the host's memory: nothing it acknowledged may be lost on a stop.</summary>
public sealed class EmbeddedBrokerStopSpec : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Events_acknowledged_right_after_start_must_all_be_landed_by_a_graceful_stop()
    {
        // Batches wait ten minutes and the consumer needs seconds to join its group: only a stop that first reads
        // everything acknowledged, then lands it, keeps these events.
        using var lake = new TempLake();
        var host = new HostFactory(new() { ["Me3:Ingest:BatchSeconds"] = "600" }, lake);
        using (var client = host.CreateClient())
        {
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/purchase_a_sword?user_name=early_{i}&sword_name=s")).StatusCode);
            }
        }

        await host.DisposeAsync();

        using var duck = new DuckLake(lake.Lake);
        Assert.Equal(20, duck.Count("purchases"));
        Assert.Equal(20, duck.Scalar<long>($"SELECT count(DISTINCT user_name) FROM {duck.Table("purchases")} WHERE user_name LIKE 'early_%'"));
    }

    [Fact]
    public async Task Readiness_must_wait_until_the_ingestion_owns_its_partitions()
    {
        using var host = new HostFactory(null);
        using var client = host.CreateClient();
        var status = host.Services.GetRequiredService<Me3IngestionStatus>();

        // The first ready answer must come with every partition owned.
        var assignedWhenReady = -1;
        await AwaitAssertAsync(async () =>
        {
            using var response = await client.GetAsync("/readyz");
            assignedWhenReady = status.Control?.Assignment.Count ?? 0;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50));

        Assert.Equal(4, assignedWhenReady);
    }
}
