using System.Text;
using Me3.Streams.Query;
using Me3.Streams.Query.Trino;
using Xunit;

namespace Me3.Tests.Query.Trino;

/// <summary>Our Trino client against recorded Trino responses (shaped after Trino's documentation and
/// trino-csharp-client's recorded scripts) replayed by a local stub.</summary>
public sealed class TrinoQueryEngineSpec
{
    private static TrinoQueryEngine Client(RecordedTrinoServer server, Func<TrinoClientSettings, TrinoClientSettings>? configure = null)
    {
        var settings = new TrinoClientSettings(server.Address).WithUser("alice").WithCatalog("hive", "default")
            .WithRetries(5, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(10));
        return new TrinoQueryEngine(configure is null ? settings : configure(settings));
    }

    [Fact]
    public async Task Every_type_must_come_back_as_the_dotnet_type_its_column_names()
    {
        await using var server = await RecordedTrinoServer.StartAsync("all_types");
        await using var trino = Client(server);

        var (columns, rows, truncated) = await trino.QueryAsync("SELECT * FROM all_types");

        Assert.Empty(server.Unexpected);
        Assert.False(truncated);
        var row = rows.Single();
        var value = columns.Select((c, i) => (c.Name, Value: row[i])).ToDictionary(x => x.Name, x => x.Value);
        Assert.Null(value["null_varchar_column"]);
        Assert.Equal(9223372036854775806L, value["big_int_column"]);
        Assert.Equal(int.MaxValue, value["int_column"]);
        Assert.Equal((short)32767, value["small_int_column"]);
        Assert.Equal((sbyte)-127, value["tiny_int_column"]);
        Assert.Equal(3.4028235E38f, value["real_column"]);
        Assert.Equal(double.MaxValue, value["double_column"]);
        Assert.Equal(678.12345m, value["decimal_column"]);
        Assert.Equal(12345678901234.1234005001m, value["big_decimal_column"]);
        Assert.Equal(true, value["boolean_column"]);
        Assert.Equal("0123456789", value["char_column"]);
        Assert.Equal("0123456789abc", value["varchar_column"]);
        Assert.Equal(new DateOnly(2022, 2, 22), value["date_column"]);
        Assert.Equal(new TimeOnly(12, 34, 56, 123), value["time_column"]);
        Assert.Equal("01:02:03.004+05:00", value["timewithtimezone_column"]);
        Assert.Equal(new DateTime(2022, 2, 22, 12, 34, 56, 4, DateTimeKind.Unspecified), value["timestamp_column"]);
        Assert.Equal(new DateTime(2022, 2, 22, 12, 34, 56).AddTicks(1234567), value["timestamp_nanos_column"]);
        Assert.Equal(new DateTimeOffset(2023, 4, 4, 1, 2, 3, 4, TimeSpan.FromHours(5)), value["timestamp_with_timezone_column"]);
        Assert.Equal(new DateTimeOffset(2023, 4, 4, 1, 2, 3, 4, TimeSpan.FromHours(5)).AddTicks(880), value["timestamp_with_timezone_column_precision6"]);
        Assert.Equal(new DateTimeOffset(2023, 4, 4, 1, 2, 3, 4, TimeSpan.Zero), value["timestamp_with_timezone_utc"]);
        Assert.Equal(new DateTimeOffset(2023, 7, 4, 1, 2, 3, TimeSpan.FromHours(-7)), value["timestamp_with_timezone_region"]);
        Assert.Equal("3-5", value["interval_year_to_month_column"]);
        Assert.Equal("2 01:03:05.000", value["interval_day_to_second_column"]);
        Assert.Equal("hello"u8.ToArray(), value["varbinary_column"]);
        Assert.Equal("""["hello","world"]""", value["array_column"]);
        Assert.Equal("""{"key1":1,"key2":2}""", value["map_column"]);
        Assert.Equal("""[{"key1":1,"key2":2},{"key3":5,"key4":6}]""", value["array_of_maps_column"]);
        Assert.Equal("""[1,"a"]""", value["row_column"]);
        Assert.Equal("431396d2-f305-4c88-b097-d0b5c9d4c0f6", value["uuid_column"]);
        Assert.Equal("2001:db8::8a2e:370:7334", value["ipaddress_column"]);
        Assert.Equal("""{"a":1}""", value["json_column"]);
        Assert.Equal(double.NaN, value["nan_column"]);
        Assert.Equal(float.PositiveInfinity, value["infinity_column"]);
        Assert.Equal("AgwBAMJla1o=", value["hll_column"]);
        for (var i = 0; i < columns.Count; i++)
        {
            Assert.True(row[i] is null || row[i]!.GetType() == columns[i].ClrType, $"{columns[i].Name}: {row[i]?.GetType()} is not {columns[i].ClrType}");
        }
    }

    [Fact]
    public async Task A_queued_query_must_be_followed_until_its_columns_are_known()
    {
        await using var server = await RecordedTrinoServer.StartAsync("all_types");
        await using var trino = Client(server);

        await using var result = await trino.ExecuteAsync("SELECT * FROM all_types");

        Assert.Equal("20240118_003856_00018_swbje", result.QueryId);
        Assert.Equal(34, result.Columns.Count);
        Assert.Equal("timestamp(3) with time zone", result.Columns[17].Type);
        Assert.Equal(
            ["POST /v1/statement", "GET /v1/statement/queued/20240118_003856_00018_swbje/yq01a1b2c3/1",
             "GET /v1/statement/queued/20240118_003856_00018_swbje/yq02a1b2c3/2", "GET /v1/statement/executing/20240118_003856_00018_swbje/ye0000a1b2c3/0"],
            server.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Single(await result.ReadAllAsync());
    }

    [Fact]
    public async Task A_result_over_several_pages_must_stream_every_row_in_order()
    {
        await using var server = await RecordedTrinoServer.StartAsync("multi_page");
        await using var trino = Client(server);

        await using var result = await trino.ExecuteAsync("SELECT custkey, name, acctbal FROM customer");
        var pagesBeforeReading = server.Requests.Count;
        var rows = await result.ReadAllAsync();

        Assert.Equal(3, pagesBeforeReading); // POST, queued, the first page with columns: rows are fetched as they are read
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], rows.Select(r => (long)r[0]!));
        Assert.Equal("Customer#7", rows[6][1]);
        Assert.Equal(-245.74, rows[0][2]);
        Assert.True(server.Exhausted);
        Assert.DoesNotContain(server.Requests, r => r.Method == "DELETE");
        Assert.Empty(server.Unexpected);
    }

    [Fact]
    public async Task A_query_with_no_rows_must_have_its_columns_and_no_rows()
    {
        await using var server = await RecordedTrinoServer.StartAsync("zero_rows");
        await using var trino = Client(server);

        var (columns, rows, truncated) = await trino.QueryAsync("SELECT * FROM customer WHERE false");

        Assert.Equal(["custkey", "name", "acctbal"], columns.Select(c => c.Name));
        Assert.Equal(["bigint", "varchar(25)", "double"], columns.Select(c => c.Type));
        Assert.Empty(rows);
        Assert.False(truncated);
        Assert.True(server.Exhausted);
    }

    [Fact]
    public async Task A_query_error_must_carry_Trinos_name_code_type_and_position()
    {
        await using var server = await RecordedTrinoServer.StartAsync("exception");
        await using var trino = Client(server);

        var e = await Assert.ThrowsAsync<QueryException>(() => trino.QueryAsync("SELECT 'a' = 1"));

        Assert.Equal("TYPE_MISMATCH", e.ErrorName);
        Assert.Equal(58, e.ErrorCode);
        Assert.Equal("USER_ERROR", e.ErrorType);
        Assert.Equal(QueryErrors.TypeMismatch, e.Error);
        Assert.Equal("line 1:12: Cannot apply operator: varchar(1) = integer", e.Message);
        Assert.Equal(1, e.Line);
        Assert.Equal(12, e.Column);
        Assert.Equal("20240111_171657_04761_k4p6q", e.QueryId);
        Assert.DoesNotContain(server.Requests, r => r.Method == "DELETE"); // a failed query needs no cancelling
    }

    [Fact]
    public async Task A_failure_after_some_rows_must_surface_while_reading()
    {
        await using var server = await RecordedTrinoServer.StartAsync("failure_after_rows");
        await using var trino = Client(server);
        await using var result = await trino.ExecuteAsync("SELECT 1 / (2 - x) FROM t");
        var read = new List<object?[]>();

        var e = await Assert.ThrowsAsync<QueryException>(async () =>
        {
            await foreach (var row in result.ReadRowsAsync())
            {
                read.Add(row);
            }
        });

        Assert.Equal(2, read.Count);
        Assert.Equal("DIVISION_BY_ZERO", e.ErrorName);
        Assert.Equal(8, e.ErrorCode);
    }

    [Fact]
    public async Task The_session_must_be_sent_and_follow_the_servers_set_and_clear_answers()
    {
        await using var server = await RecordedTrinoServer.StartAsync("session");
        await using var trino = Client(server, s => s.WithSessionProperty("query_max_run_time", "1h").WithSessionProperty("note", "a b,c"));

        await trino.QueryAsync("SET SESSION writer_min_size = '64MB'");
        await trino.QueryAsync("USE tpch.sf10");
        await trino.QueryAsync("SET SESSION hive.insert_existing_partitions_behavior = 'OVERWRITE'");
        await trino.QueryAsync("RESET SESSION writer_min_size");
        await trino.QueryAsync("SELECT 1");

        Assert.Empty(server.Unexpected);
        var posts = server.Requests.Where(r => r.Method == "POST").ToArray();
        Assert.Equal(5, posts.Length);
        Assert.Equal("SET SESSION writer_min_size = '64MB'", posts[0].Body);
        Assert.Equal("alice", posts[0].Headers["X-Trino-User"]);
        Assert.Equal("me3", posts[0].Headers["X-Trino-Source"]);
        Assert.Equal("hive", posts[0].Headers["X-Trino-Catalog"]);
        Assert.Equal("default", posts[0].Headers["X-Trino-Schema"]);
        Assert.Equal("note=a%20b%2Cc,query_max_run_time=1h", posts[0].Headers["X-Trino-Session"]);
        Assert.Equal("PARAMETRIC_DATETIME", posts[0].Headers["X-Trino-Client-Capabilities"]);
        Assert.Equal("note=a%20b%2Cc,query_max_run_time=1h,writer_min_size=64MB", posts[1].Headers["X-Trino-Session"]);
        Assert.Equal("tpch", posts[2].Headers["X-Trino-Catalog"]);
        Assert.Equal("sf10", posts[2].Headers["X-Trino-Schema"]);
        Assert.Equal("hive.insert_existing_partitions_behavior=OVERWRITE,note=a%20b%2Cc,query_max_run_time=1h", posts[4].Headers["X-Trino-Session"]);
        Assert.Equal(("tpch", "sf10"), (trino.Settings.Catalog, trino.Settings.Schema));
    }

    [Fact]
    public async Task Timestamps_must_keep_their_precision_and_zone()
    {
        await using var server = await RecordedTrinoServer.StartAsync("timestamp_conversion");
        await using var trino = Client(server);

        var (_, rows, _) = await trino.QueryAsync("SELECT timestamp '2024-01-02 01:02:03.456' AS ts, ...");

        var row = rows.Single();
        Assert.Equal(new DateTime(2024, 1, 2, 1, 2, 3, 456, DateTimeKind.Unspecified), row[0]);
        Assert.Equal(DateTimeKind.Unspecified, ((DateTime)row[0]!).Kind);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 1, 2, 3, 456, TimeSpan.FromHours(5)), row[1]);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 1, 2, 3, 456, 789, TimeSpan.FromHours(5)), row[2]);
        Assert.Equal(new DateTime(2024, 1, 1, 20, 2, 3, 456, DateTimeKind.Utc), ((DateTimeOffset)row[1]!).UtcDateTime);
    }

    [Fact]
    public async Task Disposing_a_result_before_its_last_row_must_cancel_the_query_with_DELETE()
    {
        await using var server = await RecordedTrinoServer.StartAsync("cancel");
        await using var trino = Client(server);

        var (_, rows, truncated) = await trino.QueryAsync("SELECT custkey FROM customer", QueryOptions.Default.WithMaxRows(3));

        Assert.Equal([1L, 2, 3], rows.Select(r => (long)r[0]!));
        Assert.True(truncated);
        await server.WaitForRequestsAsync(6);
        Assert.Equal("DELETE /v1/statement/executing/20240305_001719_01181_5znb5/yb85de53f5c8/2", $"{server.Requests[^1].Method} {server.Requests[^1].Path}");
        Assert.Empty(server.Unexpected);
    }

    [Fact]
    public async Task Cancelling_while_reading_must_cancel_the_query_with_DELETE()
    {
        await using var server = await RecordedTrinoServer.StartAsync("cancel");
        await using var trino = Client(server);
        using var cancel = new CancellationTokenSource();
        await using var result = await trino.ExecuteAsync("SELECT custkey FROM customer", null, cancel.Token);
        var read = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in result.ReadRowsAsync(cancel.Token))
            {
                if (++read == 3)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.Equal(3, read);
        await server.WaitForRequestsAsync(6);
        Assert.Equal("DELETE", server.Requests[^1].Method);
        Assert.Empty(server.Unexpected);
    }

    [Fact]
    public async Task A_query_past_its_time_limit_must_be_cancelled_on_the_server()
    {
        await using var server = await RecordedTrinoServer.StartAsync("client_timeout");
        await using var trino = Client(server);

        var e = await Assert.ThrowsAsync<QueryException>(() => trino.QueryAsync("SELECT count(*) FROM big", QueryOptions.Default.WithTimeout(TimeSpan.FromSeconds(3))));

        Assert.Equal("EXCEEDED_TIME_LIMIT", e.ErrorName);
        await server.WaitForRequestsAsync(4);
        Assert.Equal("DELETE /v1/statement/executing/20240418_072026_00097_giqya/y451e44cb6f9/1", $"{server.Requests[^1].Method} {server.Requests[^1].Path}");
        Assert.Empty(server.Unexpected);
    }

    [Fact]
    public async Task Busy_answers_from_a_gateway_must_be_retried()
    {
        await using var server = await RecordedTrinoServer.StartAsync("retry");
        await using var trino = Client(server);

        var (_, rows, _) = await trino.QueryAsync("SELECT 42");

        Assert.Equal(42, rows.Single()[0]);
        Assert.Equal(["POST", "POST", "POST", "GET", "GET", "GET", "GET"], server.Requests.Select(r => r.Method));
        Assert.All(server.Requests.Where(r => r.Method == "POST"), r => Assert.Equal("SELECT 42", r.Body));
        Assert.True(server.Exhausted);
    }

    [Fact]
    public async Task Busy_answers_past_the_retry_budget_must_fail_with_the_status()
    {
        await using var server = await RecordedTrinoServer.StartAsync("retry");
        await using var trino = Client(server, s => s.WithRetries(1, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1)));

        var e = await Assert.ThrowsAsync<QueryException>(() => trino.QueryAsync("SELECT 42"));

        Assert.Contains("HTTP 429", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_credentials_must_be_sent_with_every_request()
    {
        await using var server = await RecordedTrinoServer.StartAsync("zero_rows");
        await using var trino = Client(server, s => s.WithBasicAuthentication("alice", "s3cret"));

        await trino.QueryAsync("SELECT 1");

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret"));
        Assert.Equal(5, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal(expected, r.Headers["Authorization"]));
    }

    [Fact]
    public async Task A_bearer_token_must_be_sent_with_every_request()
    {
        await using var server = await RecordedTrinoServer.StartAsync("zero_rows");
        await using var trino = Client(server, s => s.WithAccessToken("eyJhbGciOi.token"));

        await trino.QueryAsync("SELECT 1");

        Assert.All(server.Requests, r => Assert.Equal("Bearer eyJhbGciOi.token", r.Headers["Authorization"]));
    }

    [Theory]
    [InlineData("http://trino.example.com:8080/", true)]
    [InlineData("http://10.1.2.3:8080/", true)]
    [InlineData("https://trino.example.com:8443/", false)]
    [InlineData("http://127.0.0.1:8080/", false)]
    [InlineData("http://localhost:8080/", false)]
    public void Credentials_must_never_go_over_plain_http_to_another_machine(string server, bool refused)
    {
        var basic = new TrinoClientSettings(new Uri(server)).WithBasicAuthentication("alice", "s3cret");
        var bearer = new TrinoClientSettings(new Uri(server)).WithAccessToken("token");
        var anonymous = new TrinoClientSettings(new Uri(server));

        foreach (var settings in new[] { basic, bearer })
        {
            var e = Record.Exception(() => new TrinoQueryEngine(settings));
            Assert.Equal(refused, e is QueryException { ErrorName: "PERMISSION_DENIED" });
        }

        Assert.Null(Record.Exception(() => new TrinoQueryEngine(anonymous)));
    }

    [Theory]
    [InlineData("https://trino.example.com", "https://trino.example.com/v1/statement")]
    [InlineData("https://gateway.example.com/trino", "https://gateway.example.com/trino/v1/statement")]
    [InlineData("https://gateway.example.com/trino/", "https://gateway.example.com/trino/v1/statement")]
    public void The_statement_address_must_be_under_the_servers_path(string server, string statement) =>
        Assert.Equal(statement, new Uri(new TrinoClientSettings(new Uri(server)).Server, "v1/statement").AbsoluteUri);

    [Fact]
    public async Task The_Presto_header_family_must_be_spoken_when_asked()
    {
        await using var server = await RecordedTrinoServer.StartAsync("zero_rows");
        await using var trino = Client(server, s => s.WithPrestoHeaders());

        await trino.QueryAsync("SELECT 1");

        var post = server.Requests[0];
        Assert.Equal("alice", post.Headers["X-Presto-User"]);
        Assert.Equal("hive", post.Headers["X-Presto-Catalog"]);
        Assert.DoesNotContain(post.Headers.Keys, k => k.StartsWith("X-Trino-", StringComparison.OrdinalIgnoreCase));
    }
}
