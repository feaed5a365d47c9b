using Akka.Hosting;
using Me3.Streams.Hosting;
using Me3.Tests.Kafka;
using Me3.Tests.Support;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Me3.Tests.Hosting;

/// <summary><see cref="Me3IngestionExtensions.WithMe3Ingestion"/> in a generic host, as an application registers it.</summary>
[Collection(KafkaSpecs.Name)]
public sealed class Me3IngestionExtensionsSpec(KafkaFixture fixture) : LakeSpec
{
    private int Landed()
    {
        using var duck = new DuckLake(Temp.Lake);
        return duck.Positions("purchases").Count;
    }

    [Fact]
    public async Task WithMe3Ingestion_must_run_the_graph_when_the_host_starts_land_what_the_topic_holds_and_commit_it_when_the_host_stops()
    {
        var topic = fixture.NewTopic(partitions: 2);
        var group = KafkaFixture.NewGroup("hosted");
        await fixture.ProduceAsync(topic, Enumerable.Range(0, 500).Select(i => Records.Purchase($"u{i}", "s")));
        var settings = new Me3IngestionSettings(
            fixture.Consumer(topic, group),
            Settings().WithBatchBounds(100, 8L << 20, TimeSpan.FromMilliseconds(200)));
        var status = new Me3IngestionStatus();

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddAkka("me3-hosted-spec", (akka, _) => akka.WithMe3Ingestion(settings, status));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await AwaitAssertAsync(() =>
            {
                Assert.Equal(500, Landed());
                Assert.Equal(500, status.RowsLanded);
            }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
            Assert.Equal(Me3.Streams.Hosting.Me3IngestionState.Running, status.State);
        }
        finally
        {
            await host.StopAsync();
        }

        Assert.Equal(Me3.Streams.Hosting.Me3IngestionState.Stopped, status.State);
        Assert.Equal(500, fixture.Committed(topic, group, 2).Values.Sum());
    }
}
