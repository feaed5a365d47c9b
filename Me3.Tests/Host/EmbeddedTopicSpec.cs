using System.Net;
using Me3.Host.Publishing;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Host;

/// <summary>A new embedded broker starts its offsets at 0 again; the lake must not take new events for replays.</summary>
public sealed class EmbeddedTopicSpec
{
    [Fact]
    public void A_lake_without_the_topics_files_must_keep_the_topic_name_and_later_runs_must_get_fresh_incarnations()
    {
        using var temp = new TempLake();
        Assert.Equal("events", KafkaConnection.FreshEmbeddedTopic(temp.Lake, "events"));

        Touch(temp, "purchases", "events+0-0-10.parquet");
        Touch(temp, "gjoins", "other+0-0-3.parquet");
        Assert.Equal("events.2", KafkaConnection.FreshEmbeddedTopic(temp.Lake, "events"));

        Touch(temp, "gjoins", "events.2+1-0-4.parquet");
        Touch(temp, "gjoins", "events.x+1-0-4.parquet");
        Assert.Equal("events.3", KafkaConnection.FreshEmbeddedTopic(temp.Lake, "events"));
        Assert.Equal("other.2", KafkaConnection.FreshEmbeddedTopic(temp.Lake, "other"));
    }

    [Fact]
    public async Task A_second_host_on_the_same_lake_must_land_all_of_its_events()
    {
        using var lake = new TempLake();
        foreach (var run in new[] { 1, 2 })
        {
            using var host = new HostFactory(null, lake);
            using var client = host.CreateClient();
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/purchase_a_sword?user_name=run{run}&sword_name=s{i}")).StatusCode);
            }

            await host.DisposeAsync(); // a graceful stop lands what the embedded broker acknowledged
        }

        using var duck = new DuckLake(lake.Lake);
        Assert.Equal(20, duck.Scalar<long>($"SELECT count(*) FROM {duck.Table("purchases")} WHERE user_name = 'run1'"));
        Assert.Equal(20, duck.Scalar<long>($"SELECT count(*) FROM {duck.Table("purchases")} WHERE user_name = 'run2'"));
    }

    private static void Touch(TempLake temp, string table, string file)
    {
        var dir = Path.Combine(temp.Lake, table, "dt=2026-11-25");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, file), []);
    }
}
