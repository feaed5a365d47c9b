using System.Net;
using System.Text.Json;
using Me3.Streams.Query;
using Me3.Tests.Query;
using Xunit;

namespace Me3.Tests.Host;

/// <summary>The Trino/Presto protocol of Me3.Host, driven by raw HTTP exchanges written as real clients send them.</summary>
[Collection(TrinoHost.Collection)]
public sealed class TrinoApiSpec : IClassFixture<SharedTrinoHost>
{
    private readonly TrinoHost _host;

    public TrinoApiSpec(SharedTrinoHost shared) => _host = shared.Host;

    private HttpClient Client() => _host.Factory.CreateClient();

    [Fact]
    public async Task The_reference_notebooks_questions_must_be_answered_the_way_pyhive_asks_them()
    {
        using var client = Client();

        var tables = await RawTrino.RunAsync(client, "SHOW TABLES");
        var swords = await RawTrino.RunAsync(client, BusinessQuestions.MostPopularSwordSql);
        var buyers = await RawTrino.RunAsync(client, BusinessQuestions.TopBuyerSql);
        var purchaseAgents = await RawTrino.RunAsync(client, BusinessQuestions.PurchasesByUserAgentSql);
        var joinAgents = await RawTrino.RunAsync(client, BusinessQuestions.GuildJoinsByUserAgentSql);

        Assert.Equal(["Table"], tables.Columns);
        Assert.Equal(["dead_letters", "gjoins", "other_events", "purchases"], tables.Rows.Select(r => r[0].GetString()));
        Assert.Equal(["purch_count", "sword_name"], swords.Columns);
        Assert.Equal(["3 needle", "2 katana", "1 longsword"], swords.Rows.Select(r => $"{r[0].GetInt64()} {r[1].GetString()}"));
        Assert.Equal(["3 alice", "2 bob", "1 carol"], buyers.Rows.Select(r => $"{r[0].GetInt64()} {r[1].GetString()}"));
        var agents = purchaseAgents.Rows.Concat(joinAgents.Rows).GroupBy(r => r[1].GetString()).ToDictionary(g => g.Key!, g => g.Sum(r => r[0].GetInt64()));
        Assert.Equal(4, agents.Where(a => a.Key.StartsWith("ME3_ios/", StringComparison.Ordinal)).Sum(a => a.Value));
        Assert.Equal(3, agents.Where(a => a.Key.StartsWith("ME3_android/", StringComparison.Ordinal)).Sum(a => a.Value));
        Assert.Equal(1, agents["curl/8.0"]);
        Assert.All(new[] { tables, swords, buyers, purchaseAgents, joinAgents }, r => Assert.Equal("FINISHED", r.State));
    }

    [Fact]
    public async Task A_Trino_CLI_exchange_must_queue_then_finish_with_typed_columns_in_Trinos_encoding()
    {
        using var client = Client();

        var (response, first) = await RawTrino.PostAsync(client,
            "SELECT timestamp, user_name, kafka_partition, kafka_offset, dt FROM hive.default.purchases WHERE user_name = 'carol'", RawTrino.TrinoCli);
        var pages = await RawTrino.FollowAsync(client, first);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("QUEUED", first.GetProperty("stats").GetProperty("state").GetString());
        Assert.StartsWith("http://localhost/v1/statement/queued/", first.GetProperty("nextUri").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9]{8}_[0-9]{6}_[0-9]{5}_[0-9a-f]{5}$", first.GetProperty("id").GetString());
        var last = pages[^1].Body;
        Assert.Equal("FINISHED", last.GetProperty("stats").GetProperty("state").GetString());
        Assert.False(last.TryGetProperty("nextUri", out _));
        var columns = last.GetProperty("columns").EnumerateArray().ToArray();
        Assert.Equal(["timestamp(3)", "varchar", "integer", "bigint", "date"], columns.Select(c => c.GetProperty("type").GetString()));
        Assert.Equal("""{"rawType":"timestamp","arguments":[{"kind":"LONG","value":3}]}""", columns[0].GetProperty("typeSignature").GetRawText());
        Assert.Equal("""{"rawType":"varchar","arguments":[{"kind":"LONG","value":2147483647}]}""", columns[1].GetProperty("typeSignature").GetRawText());
        var row = pages.SelectMany(p => p.Body.TryGetProperty("data", out var d) ? d.EnumerateArray() : []).Single();
        Assert.Equal("""["2026-11-22 10:00:04.000","carol",0,4,"2026-11-22"]""", row.GetRawText());
    }

    [Theory]
    [InlineData("X-Trino-")]
    [InlineData("X-Presto-")]
    public async Task Session_changes_must_be_answered_in_the_header_family_of_the_request(string family)
    {
        using var client = Client();

        var (_, first) = await RawTrino.PostAsync(client, "USE lake.default", new Dictionary<string, string>
        {
            [family + "User"] = "alice", [family + "Catalog"] = "hive", [family + "Schema"] = "default",
        });
        var last = (await RawTrino.FollowAsync(client, first))[^1];

        Assert.Equal("USE", last.Body.GetProperty("updateType").GetString());
        Assert.Equal("lake", last.Response.Headers.GetValues(family + "Set-Catalog").Single());
        Assert.Equal("default", last.Response.Headers.GetValues(family + "Set-Schema").Single());
        var other = family == "X-Trino-" ? "X-Presto-" : "X-Trino-";
        Assert.DoesNotContain(last.Response.Headers, h => h.Key.StartsWith(other, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_large_result_must_come_in_pages_that_each_carry_the_columns()
    {
        using var client = Client();

        var (_, first) = await RawTrino.PostAsync(client, "SELECT * FROM range(10000)", RawTrino.Pyhive);
        var pages = await RawTrino.FollowAsync(client, first);

        var withData = pages.Where(p => p.Body.TryGetProperty("data", out _)).ToArray();
        Assert.True(withData.Length >= 2, $"{withData.Length} pages");
        Assert.All(withData, p => Assert.True(p.Body.TryGetProperty("columns", out _)));
        Assert.Equal(Enumerable.Range(0, 10000).Select(i => (long)i), withData.SelectMany(p => p.Body.GetProperty("data").EnumerateArray()).Select(r => r[0].GetInt64()));
        Assert.Equal("RUNNING", withData[0].Body.GetProperty("stats").GetProperty("state").GetString());
        Assert.Equal("FINISHED", pages[^1].Body.GetProperty("stats").GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_page_asked_for_again_must_be_the_same_and_an_older_one_gone()
    {
        using var client = Client();
        var (_, first) = await RawTrino.PostAsync(client, "SELECT * FROM range(10000)", RawTrino.TrinoCli);
        var firstPage = first.GetProperty("nextUri").GetString()!;

        var one = await client.GetStringAsync(firstPage);
        var again = await client.GetStringAsync(firstPage);
        var two = await client.GetStringAsync(JsonDocument.Parse(one).RootElement.GetProperty("nextUri").GetString());
        var older = await client.GetAsync(firstPage);

        Assert.Equal(one, again);
        Assert.Contains("\"data\"", two, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, older.StatusCode);
    }

    [Fact]
    public async Task DELETE_of_the_next_page_must_cancel_the_query()
    {
        using var client = Client();
        var (_, first) = await RawTrino.PostAsync(client, "SELECT * FROM range(100000)", RawTrino.TrinoCli);
        var page = JsonDocument.Parse(await client.GetStringAsync(first.GetProperty("nextUri").GetString())).RootElement;
        var next = page.GetProperty("nextUri").GetString()!;

        var deleted = await client.DeleteAsync(next);
        var after = JsonDocument.Parse(await client.GetStringAsync(next)).RootElement;

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("FAILED", after.GetProperty("stats").GetProperty("state").GetString());
        Assert.Equal("USER_CANCELED", after.GetProperty("error").GetProperty("errorName").GetString());
        Assert.False(after.TryGetProperty("nextUri", out _));
    }

    [Fact]
    public async Task A_syntax_error_must_be_a_failed_query_with_its_position_in_HTTP_200()
    {
        using var client = Client();

        var (_, first) = await RawTrino.PostAsync(client, "SELECT sword_name\nFROM purchases WHERE WHERE", RawTrino.TrinoCli);
        var last = (await RawTrino.FollowAsync(client, first))[^1];

        Assert.Equal(HttpStatusCode.OK, last.Response.StatusCode);
        var error = last.Body.GetProperty("error");
        Assert.Equal("SYNTAX_ERROR", error.GetProperty("errorName").GetString());
        Assert.Equal(1, error.GetProperty("errorCode").GetInt32());
        Assert.Equal("USER_ERROR", error.GetProperty("errorType").GetString());
        Assert.Equal(2, error.GetProperty("errorLocation").GetProperty("lineNumber").GetInt32());
        Assert.Equal(22, error.GetProperty("errorLocation").GetProperty("columnNumber").GetInt32());
        Assert.True(error.GetProperty("failureInfo").TryGetProperty("type", out _));
    }

    [Theory]
    [InlineData("SELECT * FROM hive.default.nothing", "TABLE_NOT_FOUND")]
    [InlineData("SELECT nothing FROM purchases", "COLUMN_NOT_FOUND")]
    [InlineData("SHOW TABLES FROM hive.nowhere", "SCHEMA_NOT_FOUND")]
    public async Task Unknown_names_must_fail_with_Trinos_error_names(string sql, string errorName)
    {
        using var client = Client();

        var result = await RawTrino.RunAsync(client, sql, RawTrino.TrinoCli);

        Assert.Equal("FAILED", result.State);
        Assert.Equal(errorName, result.Error!.Value.GetProperty("errorName").GetString());
    }

    public static TheoryData<string> Refused()
    {
        var data = new TheoryData<string>();
        foreach (var row in DuckDbLockdownSpec.Refused())
        {
            data.Add(row);
        }

        foreach (var trino in new[]
        {
            "CREATE TABLE hive.default.t AS SELECT 1 AS x",
            "INSERT INTO hive.default.purchases (sword_name) VALUES ('forged')",
            "DELETE FROM lake.default.purchases",
            "DROP TABLE hive.default.purchases",
            "ALTER TABLE hive.default.purchases RENAME TO p2",
            "CALL system.sync_partition_metadata('default', 'purchases', 'FULL')",
            "SET SESSION query_max_run_time = '1h'",
            "START TRANSACTION",
            "EXECUTE IMMEDIATE 'COPY (SELECT 1) TO ''{lake}/e.csv'''",
            "SELECT 1; COPY (SELECT 1) TO '{lake}/two.csv'",
        })
        {
            data.Add(trino);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Every_refused_statement_must_be_a_Trino_style_error_and_write_nothing(string template)
    {
        using var client = Client();
        var outside = Path.Combine(_host.Temp.Root, "outside");
        var sql = template.Replace("{lake}", _host.Temp.Lake, StringComparison.Ordinal).Replace("{outside}", outside, StringComparison.Ordinal);
        var before = Snapshot();

        var result = await RawTrino.RunAsync(client, sql, RawTrino.TrinoCli);

        Assert.Equal("FAILED", result.State);
        Assert.Contains(result.Error!.Value.GetProperty("errorName").GetString(),
            template.StartsWith("USE ", StringComparison.Ordinal) ? ["SCHEMA_NOT_FOUND"] : new[] { "PERMISSION_DENIED", "NOT_SUPPORTED" });
        Assert.Empty(result.Rows);
        Assert.Equal(before, Snapshot());
        var check = await RawTrino.RunAsync(client, "SELECT count(*) FROM purchases WHERE sword_name = 'forged'");
        Assert.Equal(0, check.Rows.Single()[0].GetInt64());
    }

    [Fact]
    public async Task The_info_endpoint_must_say_the_server_is_up()
    {
        using var client = Client();

        var info = JsonDocument.Parse(await client.GetStringAsync("/v1/info")).RootElement;

        Assert.False(info.GetProperty("starting").GetBoolean());
        Assert.False(string.IsNullOrEmpty(info.GetProperty("nodeVersion").GetProperty("version").GetString()));

        // The server's uptime (this process's, as the host runs in it), not the time since the first Trino request.
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var expected = (DateTime.Now - process.StartTime).TotalMinutes;
        var uptime = double.Parse(info.GetProperty("uptime").GetString()!.TrimEnd('m'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(uptime, expected - 0.02, expected + 0.02);
    }

    [Fact]
    public async Task Unknown_queries_and_forged_addresses_must_not_be_found()
    {
        using var client = Client();
        var (_, first) = await RawTrino.PostAsync(client, "SELECT 1", RawTrino.TrinoCli);
        var next = first.GetProperty("nextUri").GetString()!;
        var forged = next.Replace(next.Split('/')[^2], new string('0', 32), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(forged)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync(forged)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/statement/executing/20260101_000000_00001_abcde/x/1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(next)).StatusCode);
    }

    [Fact]
    public async Task An_empty_statement_must_be_a_bad_request()
    {
        using var client = Client();

        var (response, _) = await RawTrino.PostAsync(client, "  ", RawTrino.TrinoCli);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private string[] Snapshot() =>
        [.. Directory.EnumerateFiles(_host.Temp.Root, "*", SearchOption.AllDirectories).Select(f => $"{f}:{new FileInfo(f).Length}").Order()];
}
