using Me3.Streams.Query;
using Me3.Streams.Query.DuckDb;
using Me3.Streams.Query.Trino;
using Me3.Streams.Query.Trino.Server;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Me3.Tests.Host;

/// <summary>Our Trino client against our own endpoint: the lake read through the protocol reads as the embedded engine reads it.</summary>
[Collection(TrinoHost.Collection)]
public sealed class TrinoRoundTripSpec : Akka.TestKit.Xunit2.TestKit, IClassFixture<SharedTrinoHost>
{
    private readonly TrinoHost _host;

    public TrinoRoundTripSpec(SharedTrinoHost shared) => _host = shared.Host;

    private TrinoQueryEngine Client(string? catalog = "hive", string? schema = "default") =>
        new(new TrinoClientSettings(_host.Factory.Server.BaseAddress).WithUser("alice").WithCatalog(catalog, schema), _host.Factory.CreateClient());

    [Fact]
    public async Task The_business_questions_must_have_the_same_answers_through_the_protocol_as_on_the_embedded_engine()
    {
        await using var trino = Client();
        await using var direct = new DuckDbQueryEngine(new LakeCatalog(_host.Temp.Lake));
        string[] tables = ["purchases", "gjoins", "other_events", "dead_letters"];

        var remote = await new BusinessQuestions(trino).AnswerAllAsync(tables);
        var local = await new BusinessQuestions(direct).AnswerAllAsync(tables);

        Assert.Equal(local.MostPopularSword.Rows, remote.MostPopularSword.Rows);
        Assert.Equal(local.TopBuyer.Rows, remote.TopBuyer.Rows);
        Assert.Equal(local.Platforms.ByPlatform, remote.Platforms.ByPlatform);
        Assert.Equal(local.Tables.Select(t => (t.Table, t.Rows)), remote.Tables.Select(t => (t.Table, t.Rows)));
        Assert.Equal("needle", remote.MostPopularSword.Leaders.Single().Value);
        Assert.Equal((4L, 3L), (remote.Platforms.Ios, remote.Platforms.Android));
    }

    [Fact]
    public async Task Every_lake_type_must_round_trip_with_its_dotnet_type()
    {
        await using var trino = Client();
        await using var direct = new DuckDbQueryEngine(new LakeCatalog(_host.Temp.Lake));
        const string sql = "SELECT timestamp, user_name, kafka_partition, kafka_offset, dt FROM lake.default.purchases ORDER BY kafka_offset";

        var remote = await trino.QueryAsync(sql);
        var local = await direct.QueryAsync(sql.Replace("lake.default.", "", StringComparison.Ordinal));

        Assert.Equal(local.Columns, remote.Columns);
        Assert.Equal(local.Rows, remote.Rows);
        Assert.Equal(new DateTime(2026, 11, 21, 10, 0, 0, 123), remote.Rows[0][0]);
        Assert.Equal(new DateOnly(2026, 11, 21), remote.Rows[0][4]);
        Assert.IsType<int>(remote.Rows[0][2]);
        Assert.IsType<long>(remote.Rows[0][3]);
    }

    [Fact]
    public async Task Values_of_every_engine_type_must_survive_the_protocol()
    {
        await using var trino = Client();
        const string sql = """
            SELECT 1::TINYINT AS t, 2::SMALLINT AS s, 3::INTEGER AS i, 4::BIGINT AS b, 1.5::REAL AS r, 2.25::DOUBLE AS d,
                   123.45::DECIMAL(10,2) AS dec, true AS bool, 'x''y' AS v, DATE '2026-11-01' AS dt, TIME '12:34:56.789' AS tm,
                   TIMESTAMP '2026-11-01 18:31:10.868' AS ts, '\x68\x69'::BLOB AS bin, [1, 2] AS arr, {'a': 1, 'b': 'z'} AS rw,
                   MAP {'k': 1} AS m, 'nan'::DOUBLE AS nan, NULL::VARCHAR AS nothing
            """;

        var (columns, rows, _) = await trino.QueryAsync(sql);

        Assert.Equal(
            ["tinyint", "smallint", "integer", "bigint", "real", "double", "decimal(10,2)", "boolean", "varchar", "date", "time(6)", "timestamp(6)",
             "varbinary", "array(integer)", "row(\"a\" integer, \"b\" varchar)", "map(varchar, integer)", "double", "varchar"],
            columns.Select(c => c.Type));
        object?[] expected =
        [
            (sbyte)1, (short)2, 3, 4L, 1.5f, 2.25, 123.45m, true, "x'y", new DateOnly(2026, 11, 1), new TimeOnly(12, 34, 56, 789),
            new DateTime(2026, 11, 1, 18, 31, 10, 868), "hi"u8.ToArray(), "[1,2]", """[1,"z"]""", """{"k":1}""", double.NaN, null,
        ];
        Assert.Equal(expected, rows.Single());
    }

    [Fact]
    public async Task Metadata_must_list_the_lake_as_Trino_would()
    {
        await using var trino = Client();

        var catalogs = (await trino.QueryAsync("SHOW CATALOGS")).Rows.Select(r => r[0]);
        var tables = (await trino.QueryAsync("SHOW TABLES FROM lake.default")).Rows.Select(r => r[0]);
        var columns = (await trino.QueryAsync("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'gjoins' ORDER BY ordinal_position")).Rows;

        Assert.Equal(["hive", "lake", "system"], catalogs);
        Assert.Equal(["dead_letters", "gjoins", "other_events", "purchases"], tables);
        Assert.Equal(("guild_name", "varchar"), ((string)columns[7][0]!, (string)columns[7][1]!));
        Assert.Equal(("dt", "date"), ((string)columns[^1][0]!, (string)columns[^1][1]!));
    }

    [Fact]
    public async Task USE_must_move_the_clients_session()
    {
        await using var trino = Client(catalog: null, schema: null);

        await trino.QueryAsync("USE lake.default");
        var (_, rows, _) = await trino.QueryAsync("SELECT count(*) FROM default.gjoins");

        Assert.Equal(("lake", "default"), (trino.Settings.Catalog, trino.Settings.Schema));
        Assert.Equal(2L, rows.Single()[0]);
    }

    [Fact]
    public async Task Errors_must_come_back_as_query_exceptions_with_Trinos_names()
    {
        await using var trino = Client();

        var missing = await Assert.ThrowsAsync<QueryException>(() => trino.QueryAsync("SELECT * FROM hive.default.nothing"));
        var refused = await Assert.ThrowsAsync<QueryException>(() => trino.QueryAsync("CREATE TABLE t AS SELECT 1"));

        Assert.Equal(QueryErrors.TableNotFound, missing.Error);
        Assert.Equal("PERMISSION_DENIED", refused.ErrorName);
        Assert.NotNull(missing.QueryId);
    }

    [Fact]
    public async Task A_result_abandoned_by_our_client_must_be_cancelled_on_the_server()
    {
        var server = _host.Factory.Services.GetRequiredService<TrinoServer>();
        await using var trino = Client();

        var (_, rows, truncated) = await trino.QueryAsync("SELECT * FROM range(9000)", QueryOptions.Default.WithMaxRows(10));

        Assert.Equal(10, rows.Count);
        Assert.True(truncated);
        await AwaitAssertAsync(() => Assert.Equal(0, server.ActiveQueries), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
    }
}
