using System.Net;
using Me3.Host.Publishing;
using Me3.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Me3.Tests.Host;

public sealed class GameApiSpec : Akka.TestKit.Xunit2.TestKit, IClassFixture<SharedHost>
{
    private readonly HostFactory _host;

    public GameApiSpec(SharedHost host) => _host = host.Factory;

    private HttpClient Client()
    {
        var client = _host.CreateClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("me3-test/1.0");
        client.DefaultRequestHeaders.Accept.ParseAdd("text/plain");
        return client;
    }

    private async Task<List<object?[]>> WaitForRowsAsync(string table, string where, int count = 1)
    {
        List<object?[]> rows = [];
        await AwaitAssertAsync(() =>
        {
            using var duck = new DuckLake(_host.Temp.Lake);
            rows = duck.HasFiles(table) ? duck.Rows($"SELECT * FROM {duck.Table(table)} WHERE {where}") : [];
            Assert.True(rows.Count >= count, $"{rows.Count} of {count} rows in {table} where {where}");
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        return rows;
    }

    [Fact]
    public async Task A_sword_purchase_by_GET_must_answer_200_after_Kafka_acknowledged_and_land_a_row_with_the_request_headers()
    {
        using var client = Client();

        var response = await client.GetAsync("/purchase_a_sword?user_name=alice_get&sword_name=katana");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Sword Purchased!", await response.Content.ReadAsStringAsync());
        var row = (await WaitForRowsAsync("purchases", "user_name = 'alice_get'")).Single();
        // raw_event, timestamp, accept, host, user_agent, event_type, user_name, sword_name, event_id, partition, offset, dt
        Assert.Equal("text/plain", row[2]);
        Assert.Equal("localhost", row[3]);
        Assert.Equal("me3-test/1.0", row[4]);
        Assert.Equal("purchase_sword", row[5]);
        Assert.Equal("katana", row[7]);
        Assert.Matches("^[0-9a-f]{32}$", (string)row[8]!);
    }

    [Fact]
    public async Task A_guild_join_by_POST_form_must_land_in_gjoins()
    {
        using var client = Client();
        using var response = await client.PostAsync("/join_guild", new FormUrlEncodedContent([new("user_name", "bob_post"), new("guild_name", "ni")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Guild Joined!", await response.Content.ReadAsStringAsync());
        var row = (await WaitForRowsAsync("gjoins", "user_name = 'bob_post'")).Single();
        Assert.Equal("ni", row[7]);
    }

    [Fact]
    public async Task The_default_endpoint_must_land_in_other_events()
    {
        using var client = Client();
        using var response = await client.GetAsync("/?marker=default_marker");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("This is the default response!", await response.Content.ReadAsStringAsync());
        await WaitForRowsAsync("other_events", "raw_event LIKE '%default_marker%' AND event_type = 'default'");
    }

    [Theory]
    [InlineData("json-body", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("long-parameter", HttpStatusCode.BadRequest)]
    [InlineData("big-body", HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("long-name", HttpStatusCode.BadRequest)]
    public async Task Bad_input_must_get_a_clear_error_and_publish_nothing(string kind, HttpStatusCode expected)
    {
        using var client = Client();
        var marker = "bad_" + Guid.NewGuid().ToString("N")[..8];
        using var response = kind switch
        {
            "json-body" => await client.PostAsync("/join_guild", new StringContent($$"""{"user_name":"{{marker}}"}""", System.Text.Encoding.UTF8, "application/json")),
            "long-parameter" => await client.GetAsync($"/purchase_a_sword?user_name={marker}{new string('x', 300)}"),
            "big-body" => await client.PostAsync("/join_guild", new FormUrlEncodedContent([new("user_name", marker + new string('y', 20_000))])),
            _ => await client.GetAsync($"/purchase_a_sword?{new string('k', 300)}={marker}"),
        };

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        // A good request afterwards lands; the bad one never does.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/purchase_a_sword?user_name=after_{marker}&sword_name=s")).StatusCode);
        await WaitForRowsAsync("purchases", $"user_name = 'after_{marker}'");
        using var duck = new DuckLake(_host.Temp.Lake);
        Assert.Empty(duck.Rows($"SELECT 1 FROM {duck.Table("purchases")} WHERE raw_event LIKE '%{marker}%' AND user_name <> 'after_{marker}'"));
    }

    [Fact]
    public async Task A_truncated_multipart_body_must_get_400_and_publish_nothing()
    {
        using var client = Client();
        var marker = "cut_" + Guid.NewGuid().ToString("N")[..8];
        using var body = new StringContent($"--b\r\nContent-Disposition: form-data; name=\"user_name\"\r\n\r\n{marker}", System.Text.Encoding.UTF8);
        body.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");

        using var response = await client.PostAsync("/join_guild", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/join_guild?user_name=after_{marker}&guild_name=g")).StatusCode);
        await WaitForRowsAsync("gjoins", $"user_name = 'after_{marker}'");
        using var duck = new DuckLake(_host.Temp.Lake);
        Assert.Empty(duck.Rows($"SELECT 1 FROM {duck.Table("gjoins")} WHERE user_name = '{marker}'"));
    }

    [Fact]
    public async Task Health_readiness_and_the_Me3_metrics_must_answer()
    {
        using var client = Client();
        Assert.Equal("ok", await client.GetStringAsync("/healthz"));
        await AwaitAssertAsync(async () => Assert.Equal("ready", await client.GetStringAsync("/readyz")), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/purchase_a_sword?user_name=metered&sword_name=s")).StatusCode);
        await WaitForRowsAsync("purchases", "user_name = 'metered'");

        // The offset is committed a moment after the file lands; the exporter caches a scrape for a moment. Then every
        // instrument of the library is there, with the labels docs/operations.md lists, under its own name.
        var metrics = "";
        await AwaitAssertAsync(async () =>
        {
            metrics = await client.GetStringAsync("/metrics");
            Assert.Matches(@"me3_kafka_committed_offset\{[^}]*topic=""events""[^}]*\} [1-9]", metrics);
            Assert.Matches(@"me3_kafka_records_produced_total\{[^}]*topic=""events""[^}]*\} [1-9]", metrics);
            Assert.Matches(@"me3_kafka_records_consumed_total(\{[^}]*\})? [1-9]", metrics);
            Assert.Matches(@"me3_kafka_consumer_lag\{[^}]*group=""[^""]+""[^}]*topic=""events""[^}]*\} \d", metrics);
            Assert.Matches(@"me3_kafka_end_offset\{[^}]*topic=""events""[^}]*\} [1-9]", metrics);
            Assert.Matches(@"me3_kafka_consumer_paused\{[^}]*topic=""events""[^}]*\} [01]", metrics);
            Assert.Matches(@"me3_lake_rows_landed_total\{[^}]*table=""purchases""[^}]*\} [1-9]", metrics);
            Assert.Matches(@"me3_lake_files_landed_total\{[^}]*table=""purchases""[^}]*\} [1-9]", metrics);
            Assert.Matches(@"me3_lake_landed_bytes_total\{[^}]*table=""purchases""[^}]*\} [1-9]", metrics);
            Assert.Matches(@"me3_lake_replayed_skipped_total\{[^}]*table=""purchases""[^}]*\} \d", metrics);
            Assert.Matches(@"me3_lake_file_rows_count(\{[^}]*\})? [1-9]", metrics);
            Assert.Matches(@"me3_lake_write_duration_milliseconds_count(\{[^}]*\})? [1-9]", metrics);
            Assert.Matches(@"me3_lake_last_landed_time_seconds\{[^}]*table=""purchases""[^}]*\} [1-9]", metrics);
            Assert.Matches(@"me3_ingestion_restarts_total(\{[^}]*\})? \d", metrics);
            Assert.Contains("http_server_request_duration_seconds", metrics);
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        Assert.DoesNotContain("me3_streams_", metrics); // no meter-name prefix doubled onto the instruments
    }
}

/// <summary>The time an event carries is the host clock's when the request arrived.</summary>
public sealed class GameEventTimeSpec : Akka.TestKit.Xunit2.TestKit
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task An_event_must_carry_the_time_the_game_API_received_it()
    {
        var received = new DateTimeOffset(2026, 3, 14, 15, 9, 26, 535, TimeSpan.Zero);
        using var host = new HostFactory(null, services: s => s.AddSingleton<TimeProvider>(new FixedClock(received)));
        using var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/purchase_a_sword?user_name=timed&sword_name=s")).StatusCode);

        await AwaitAssertAsync(() =>
        {
            using var duck = new DuckLake(host.Temp.Lake);
            Assert.True(duck.HasFiles("purchases"), "nothing landed yet");
            var row = Assert.Single(duck.Rows($"SELECT timestamp, dt FROM {duck.Table("purchases")} WHERE user_name = 'timed'"));
            Assert.Equal(received.UtcDateTime, DateTime.SpecifyKind((DateTime)row[0]!, DateTimeKind.Utc)); // DuckDB session time zone: UTC
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
    }
}

public sealed class KafkaOutageSpec
{
    [Fact]
    public async Task With_Kafka_down_requests_must_get_503_with_Retry_After_and_succeed_again_after_recovery()
    {
        using var host = new HostFactory(null);
        using var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/purchase_a_sword?user_name=warm&sword_name=s")).StatusCode);
        var kafka = host.Services.GetRequiredService<KafkaConnection>().Embedded!;

        for (var b = 1; b <= kafka.Brokers; b++)
        {
            kafka.BrokerDown(b);
        }

        var down = await client.GetAsync("/purchase_a_sword?user_name=during_outage&sword_name=s");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("1", down.Headers.GetValues("Retry-After").Single());

        for (var b = 1; b <= kafka.Brokers; b++)
        {
            kafka.BrokerUp(b);
        }

        HttpResponseMessage? again = null;
        for (var attempt = 0; attempt < 20 && again?.StatusCode != HttpStatusCode.OK; attempt++)
        {
            again = await client.GetAsync("/purchase_a_sword?user_name=after_outage&sword_name=s");
        }

        Assert.Equal(HttpStatusCode.OK, again!.StatusCode);
    }
}
