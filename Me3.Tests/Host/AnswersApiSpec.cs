using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Me3.Host.Configuration;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Host;

public sealed class AnswersApiSpec : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Answers_must_follow_the_events_posted_through_the_game_API()
    {
        using var host = new HostFactory(new() { ["Me3:Analytics:AnswersCacheSeconds"] = "0" });
        using var client = host.CreateClient();

        var empty = await client.GetFromJsonAsync<JsonElement>("/api/answers");
        Assert.Equal("No sword has been purchased yet.", empty.GetProperty("mostPopularSword").GetProperty("sentence").GetString());

        foreach (var (user, sword, agent) in new[] { ("alice", "needle", "ME3_ios/1.0"), ("alice", "needle", "ME3_android/2.0"), ("bob", "katana", "ME3_ios/1.1") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/purchase_a_sword?user_name={user}&sword_name={sword}");
            request.Headers.UserAgent.ParseAdd(agent);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
        }

        var answers = default(JsonElement);
        await AwaitAssertAsync(async () =>
        {
            answers = await client.GetFromJsonAsync<JsonElement>("/api/answers");
            Assert.Equal(3, answers.GetProperty("mostPopularSword").GetProperty("total").GetInt64());
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        Assert.Equal("The most popular sword is needle. It was purchased 2 times.", answers.GetProperty("mostPopularSword").GetProperty("sentence").GetString());
        Assert.Equal("The top buyer is alice, with 2 sword purchases.", answers.GetProperty("topBuyer").GetProperty("sentence").GetString());
        Assert.Equal(2, answers.GetProperty("platforms").GetProperty("ios").GetInt64());
        Assert.Equal(1, answers.GetProperty("platforms").GetProperty("android").GetInt64());
        Assert.Equal(BusinessQuestionsSql, answers.GetProperty("mostPopularSword").GetProperty("sql").GetString());
        var purchases = answers.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == "purchases");
        Assert.Equal(3, purchases.GetProperty("rows").GetInt64());
    }

    [Fact]
    public async Task The_analytics_surface_must_be_off_when_switched_off()
    {
        using var host = new HostFactory(new() { ["Me3:Analytics:Enabled"] = "false" });
        using var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/answers")).StatusCode);
    }

    [Theory]
    [InlineData(null, true, true)]
    [InlineData(null, false, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, false)]
    public void The_analytics_surface_must_default_to_on_only_with_the_embedded_broker(bool? configured, bool embedded, bool expected) =>
        Assert.Equal(expected, new AnalyticsOptions { Enabled = configured }.IsEnabled(embedded));

    private const string BusinessQuestionsSql = Me3.Streams.Query.BusinessQuestions.MostPopularSwordSql;
}
