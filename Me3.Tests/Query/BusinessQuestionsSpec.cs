using Me3.Streams.Dsl;
using Me3.Streams.Query;
using Me3.Streams.Query.DuckDb;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Query;

/// <summary>The business questions on a small lake whose answers are counted by hand.</summary>
public sealed class BusinessQuestionsSpec : LakeSpec
{
    private static string Purchase(string? user, string? sword, string? agent) =>
        "{\"event_type\":\"purchase_sword\"" + Field("user_name", user) + Field("sword_name", sword) + Field("User-Agent", agent) + "}";

    private static string Join(string? user, string? agent) =>
        "{\"event_type\":\"join_guild\",\"guild_name\":\"ni\"" + Field("user_name", user) + Field("User-Agent", agent) + "}";

    private static string Field(string name, string? value) => value is null ? "" : $",\"{name}\":\"{value}\"";

    private async Task<BusinessQuestions> LandAsync(params string[] lines)
    {
        await SeedLakeAsync(Me3Source.JsonLines(Temp.WriteLines("events.jsonl", lines)), Settings());
        var engine = new DuckDbQueryEngine(new LakeCatalog(Temp.Lake));
        _engines.Add(engine);
        return new BusinessQuestions(engine);
    }

    private readonly List<DuckDbQueryEngine> _engines = [];

    private static readonly string[] Lake =
    [
        Purchase("alice", "needle", "ME3_ios/1.0"),
        Purchase("alice", "needle", "ME3_ios/1.0"),
        Purchase("alice", "katana", "ME3_ios/1.1"),
        Purchase("bob", "katana", "ME3_android/2.0"),
        Purchase("bob", "needle", "ME3_android/2.0"),
        Purchase("carol", "katana", "ME3_android/2.1"),
        Purchase("carol", "rapier", "curl/8.0"),
        Purchase(null, null, null),
        Join("alice", "ME3_ios/1.0"),
        Join("dave", "ME3_windows/1.0"),
        Join("erin", "ME3_/9"),
        """{"event_type":"default","User-Agent":"ME3_ios/1.0"}""",
        "not json",
    ];

    [Fact]
    public async Task The_most_popular_sword_must_report_a_tie_as_a_tie()
    {
        var questions = await LandAsync(Lake);

        var swords = await questions.MostPopularSwordAsync();

        Assert.Equal(BusinessQuestions.MostPopularSwordSql, swords.Sql);
        Assert.Equal([new("katana", 3), new("needle", 3), new("rapier", 1), new(null, 1)], swords.Rows);
        Assert.True(swords.IsTie);
        Assert.Equal("The most popular swords are katana and needle, tied at 3 times each.", AnswerText.MostPopularSword(swords));
    }

    [Fact]
    public async Task The_top_buyer_must_be_the_player_with_most_purchases()
    {
        var questions = await LandAsync(Lake);

        var buyers = await questions.TopBuyerAsync();

        Assert.Equal([new("alice", 3), new("bob", 2), new("carol", 2), new(null, 1)], buyers.Rows);
        Assert.False(buyers.IsTie);
        Assert.Equal(8, buyers.Total);
        Assert.Equal("The top buyer is alice, with 3 sword purchases.", AnswerText.TopBuyer(buyers));
    }

    [Fact]
    public async Task Platforms_must_count_purchases_and_joins_by_user_agent_and_drop_nothing()
    {
        var questions = await LandAsync(Lake);

        var platforms = await questions.PlatformsAsync();

        Assert.Equal(4, platforms.Ios); // 3 purchases + 1 join
        Assert.Equal(3, platforms.Android);
        Assert.Equal(11, platforms.Total); // 8 purchases + 3 joins; the default event and the dead letter are not asked about
        Assert.Equal([new("ios", 4), new("android", 3), new("other", 3), new("windows", 1)], platforms.ByPlatform);
        Assert.Contains(new CountedValue(null, 1), platforms.ByUserAgent);
        Assert.Equal(
            "iOS leads Android: 4 events (36.4%) against 3 events (27.3%); other user agents: 3 events (27.3%), windows: 1 event (9.1%) (purchases and guild joins).",
            AnswerText.Platforms(platforms));
    }

    [Fact]
    public async Task All_answers_must_count_every_table_with_its_files()
    {
        var questions = await LandAsync(Lake);

        var answers = await questions.AnswerAllAsync(new LakeCatalog(Temp.Lake));

        Assert.Equal(
            [new("purchases", 8, 1), new("gjoins", 3, 1), new("other_events", 1, 1), new("dead_letters", 1, 1)],
            answers.Tables);
    }

    [Fact]
    public async Task An_empty_lake_must_answer_that_nothing_happened_yet()
    {
        await using var engine = new DuckDbQueryEngine(new LakeCatalog(Temp.Lake));
        var answers = await new BusinessQuestions(engine).AnswerAllAsync(new LakeCatalog(Temp.Lake));

        Assert.Equal("No sword has been purchased yet.", AnswerText.MostPopularSword(answers.MostPopularSword));
        Assert.Equal("Nobody has purchased a sword yet.", AnswerText.TopBuyer(answers.TopBuyer));
        Assert.Equal("No purchases or guild joins yet, so no platform to count.", AnswerText.Platforms(answers.Platforms));
        Assert.All(answers.Tables, t => Assert.Equal(0, t.Rows));
    }

    [Theory]
    [InlineData("ME3_ios/1.0", "ios")]
    [InlineData("ME3_android/2.1", "android")]
    [InlineData("ME3_Windows/1", "windows")]
    [InlineData("ME3_/1", "other")]
    [InlineData("ME3_ios", "other")]
    [InlineData("Mozilla/5.0", "other")]
    [InlineData(null, "other")]
    public void The_platform_must_be_the_part_between_ME3_and_the_slash(string? agent, string platform) =>
        Assert.Equal(platform, BusinessQuestions.PlatformOf(agent));

    protected override void AfterAll()
    {
        foreach (var engine in _engines)
        {
            engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.AfterAll();
    }
}
