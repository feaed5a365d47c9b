using System.Net;
using Me3.Host.Configuration;
using Xunit;

namespace Me3.Tests.Host;

/// <summary>One image, three roles chosen by configuration: the game API, the ingestion, the analytics surface.</summary>
public sealed class HostRolesSpec
{
    private static Me3Options Options(bool api, bool ingest, bool? analytics) => new()
    {
        Kafka = new KafkaOptions { BootstrapServers = "kafka-1:19092" },
        Api = new ApiOptions { Enabled = api },
        Ingest = new IngestOptions { Enabled = ingest },
        Analytics = new AnalyticsOptions { Enabled = analytics },
    };

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, null)]
    public void An_instance_with_any_one_role_must_be_valid(bool api, bool ingest, bool? analytics)
    {
        var result = new Me3OptionsValidator().Validate(null, Options(api, ingest, analytics));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void An_instance_with_no_role_must_be_refused_naming_the_three_keys()
    {
        var result = new Me3OptionsValidator().Validate(null, Options(false, false, null));

        Assert.True(result.Failed);
        Assert.Contains("Me3:Api:Enabled and Me3:Ingest:Enabled and Me3:Analytics:Enabled are all false", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_analytics_only_instance_must_serve_the_answers_and_no_game_API()
    {
        using var host = new HostFactory(new()
        {
            ["Me3:Api:Enabled"] = "false",
            ["Me3:Ingest:Enabled"] = "false",
            ["Me3:Analytics:Enabled"] = "true",
        });
        using var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/answers")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/purchase_a_sword?user_name=a&sword_name=b")).StatusCode);
    }
}
