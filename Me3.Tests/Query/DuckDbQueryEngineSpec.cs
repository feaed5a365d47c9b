using Me3.Streams.Dsl;
using Me3.Streams.Query;
using Me3.Streams.Query.DuckDb;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Query;

public sealed class DuckDbQueryEngineSpec : LakeSpec
{
    private static readonly string[] DeclaredTables = ["purchases", "gjoins", "other_events", "dead_letters"];

    private DuckDbQueryEngine Engine() => new(new LakeCatalog(Temp.Lake));

    private Task<Me3.Streams.Lake.IngestSummary> LandAsync(string name, params string[] lines) =>
        SeedLakeAsync(Me3Source.JsonLines(Temp.WriteLines(name, lines)), Settings());

    [Fact]
    public async Task An_empty_lake_must_have_every_declared_table_empty_with_its_declared_columns()
    {
        await using var engine = Engine();

        var (_, tables, _) = await engine.QueryAsync("SHOW TABLES");
        Assert.Equal(DeclaredTables.Order(), tables.Select(r => (string)r[0]!).Order());

        var result = await engine.ExecuteAsync("SELECT * FROM purchases");
        await using (result)
        {
            Assert.Equal(
                ["raw_event:varchar", "timestamp:timestamp(3)", "accept:varchar", "host:varchar", "user_agent:varchar", "event_type:varchar",
                 "user_name:varchar", "sword_name:varchar", "event_id:varchar", "kafka_partition:integer", "kafka_offset:bigint", "dt:date"],
                result.Columns.Select(c => $"{c.Name}:{c.Type}"));
            Assert.Empty(await result.ReadAllAsync());
        }

        var (_, counts, _) = await engine.QueryAsync("SELECT count(*) FROM dead_letters");
        Assert.Equal(0L, counts[0][0]);
    }

    [Fact]
    public async Task A_file_landed_after_the_first_query_must_be_in_the_next_query()
    {
        await using var engine = Engine();
        Assert.Equal(0L, (await engine.QueryAsync("SELECT count(*) FROM purchases")).Rows[0][0]);

        await LandAsync("a.jsonl", Records.Purchase("alice", "katana"));
        Assert.Equal(1L, (await engine.QueryAsync("SELECT count(*) FROM purchases")).Rows[0][0]);

        await LandAsync("b.jsonl", Records.Purchase("bob", "katana"), Records.Purchase("carol", "rapier"));
        Assert.Equal(3L, (await engine.QueryAsync("SELECT count(*) FROM purchases")).Rows[0][0]);
    }

    [Fact]
    public async Task Values_must_come_back_typed_with_hive_partitions_and_UTC_millisecond_timestamps()
    {
        await LandAsync("a.jsonl", Records.Purchase("alice", "katana"));
        await using var engine = Engine();

        var (columns, rows, _) = await engine.QueryAsync("SELECT user_name, timestamp, dt, kafka_partition, kafka_offset FROM purchases");

        Assert.Equal(["varchar", "timestamp(3)", "date", "integer", "bigint"], columns.Select(c => c.Type));
        Assert.Equal([typeof(string), typeof(DateTime), typeof(DateOnly), typeof(int), typeof(long)], columns.Select(c => c.ClrType));
        Assert.Equal(["alice", new DateTime(2026, 11, 21, 10, 0, 0, 123), new DateOnly(2026, 11, 21), 0, 0L], rows.Single());
    }

    [Fact]
    public async Task Files_of_two_schema_versions_must_read_as_one_table_with_nulls_where_a_column_is_missing()
    {
        await LandAsync("old.jsonl", Records.Purchase("alice", "katana"));
        var withRarity = RoutingSettings.Default.WithRoute(new EventRoute("purchase_sword", "purchases", [.. RoutingSettings.PurchaseColumns, "rarity"]));
        await SeedLakeAsync(Me3Source.JsonLines(Temp.WriteLines("new.jsonl",
            ["""{"event_type":"purchase_sword","user_name":"bob","sword_name":"rapier","rarity":"epic","timestamp":"2026-11-22T08:00:00Z"}"""])),
            Settings().WithRouting(withRarity));

        await using var declaredOld = new DuckDbQueryEngine(new LakeCatalog(Temp.Lake));
        var (_, oldView, _) = await declaredOld.QueryAsync("SELECT user_name, rarity FROM purchases ORDER BY user_name");
        Assert.Equal([["alice", null], ["bob", "epic"]], oldView);

        await using var declaredNew = new DuckDbQueryEngine(new LakeCatalog(Temp.Lake, withRarity));
        var (_, newView, _) = await declaredNew.QueryAsync("SELECT user_name, rarity, dt FROM purchases ORDER BY user_name");
        Assert.Equal([["alice", null, new DateOnly(2026, 11, 21)], ["bob", "epic", new DateOnly(2026, 11, 22)]], newView);
    }

    [Fact]
    public async Task A_table_landed_with_other_routes_must_be_found_in_the_lake()
    {
        var shields = RoutingSettings.Default.WithRoute(new EventRoute("buy_shield", "shields", ["user_name", "shield_name"]));
        await SeedLakeAsync(Me3Source.JsonLines(Temp.WriteLines("s.jsonl", ["""{"event_type":"buy_shield","user_name":"dora","shield_name":"aegis"}"""])),
            Settings().WithRouting(shields));
        await using var engine = Engine();

        var (_, rows, _) = await engine.QueryAsync("SELECT shield_name FROM shields");

        Assert.Equal("aegis", rows.Single()[0]);
    }

    [Fact]
    public async Task Rows_must_stop_at_the_row_limit_and_say_so()
    {
        await using var engine = Engine();

        var (_, rows, truncated) = await engine.QueryAsync("SELECT * FROM range(100)", QueryOptions.Default.WithMaxRows(10));

        Assert.Equal(10, rows.Count);
        Assert.True(truncated);
    }

    [Fact]
    public async Task A_query_past_its_time_limit_must_be_stopped_with_EXCEEDED_TIME_LIMIT()
    {
        await using var engine = Engine();

        var e = await Assert.ThrowsAsync<QueryException>(() =>
            engine.QueryAsync("SELECT count(*) FROM range(100000000000) a", QueryOptions.Default.WithTimeout(TimeSpan.FromMilliseconds(300))));

        Assert.Equal("EXCEEDED_TIME_LIMIT", e.ErrorName);
        Assert.Equal(1, (await engine.QueryAsync("SELECT 1")).Rows[0][0]); // the engine is usable afterwards
    }

    [Fact]
    public async Task Cancelling_must_stop_the_query()
    {
        await using var engine = Engine();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.QueryAsync("SELECT count(*) FROM range(100000000000) a", cancellationToken: cancel.Token));
    }

    [Theory]
    [InlineData("SELEC 1", "SYNTAX_ERROR")]
    [InlineData("SELECT * FROM no_such_table", "TABLE_NOT_FOUND")]
    [InlineData("SELECT no_such_column FROM purchases", "COLUMN_NOT_FOUND")]
    [InlineData("SELECT no_such_function(1)", "FUNCTION_NOT_FOUND")]
    [InlineData("SELECT 1; SELECT 2", "NOT_SUPPORTED")]
    [InlineData("", "SYNTAX_ERROR")]
    public async Task Bad_statements_must_fail_with_Trino_error_names(string sql, string errorName)
    {
        await using var engine = Engine();

        var e = await Assert.ThrowsAsync<QueryException>(() => engine.QueryAsync(sql));

        Assert.Equal(errorName, e.ErrorName);
    }

    [Fact]
    public async Task A_syntax_error_must_say_where_it_is()
    {
        await using var engine = Engine();

        var e = await Assert.ThrowsAsync<QueryException>(() => engine.QueryAsync("SELECT 1\nFROM purchases WHER x"));

        Assert.Equal(2, e.Line);
        Assert.NotNull(e.Column);
    }
}
