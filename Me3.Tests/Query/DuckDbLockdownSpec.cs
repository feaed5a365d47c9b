using DuckDB.NET.Data;
using Me3.Streams.Dsl;
using Me3.Streams.Query;
using Me3.Streams.Query.DuckDb;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Query;

/// <summary>The embedded engine reads the lake and nothing else, enforced by DuckDB, not by string filters.</summary>
public sealed class DuckDbLockdownSpec : LakeSpec
{
    private readonly string _outside;

    public DuckDbLockdownSpec()
    {
        _outside = Temp.File("outside");
        Directory.CreateDirectory(_outside);
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = $"COPY (SELECT 'secret' AS s) TO '{Path.Combine(_outside, "secret.parquet")}' (FORMAT parquet)";
        command.ExecuteNonQuery();
        File.WriteAllText(Path.Combine(_outside, "secret.csv"), "s\nsecret\n");
    }

    public static TheoryData<string> Refused() =>
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_csv('{outside}/secret.csv')",
        "SELECT * FROM read_parquet('{outside}/secret.parquet')",
        "SELECT * FROM read_parquet('{lake}/../outside/secret.parquet')",
        "SELECT * FROM parquet_metadata('{outside}/secret.parquet')",
        "COPY (SELECT 1) TO '{outside}/out.csv'",
        "COPY (SELECT 1) TO '{lake}/out.csv'",
        "COPY purchases TO '{lake}/purchases/dt=2026-11-21/copied.parquet' (FORMAT parquet)",
        "SELECT * FROM query('COPY (SELECT 1) TO ''{lake}/q.csv''')",
        "EXPLAIN ANALYZE COPY (SELECT 1) TO '{lake}/e.csv'",
        "EXPORT DATABASE '{lake}/export'",
        "EXPORT DATABASE '{outside}/export'",
        "ATTACH '{outside}/x.db'",
        "ATTACH '{lake}/x.db'",
        "ATTACH ':memory:' AS scratch",
        "DETACH memory",
        "INSTALL httpfs",
        "LOAD httpfs",
        "LOAD '{outside}/evil.duckdb_extension'",
        "SET enable_external_access = true",
        "SET allowed_directories = ['/']",
        "RESET lock_configuration",
        "SET memory_limit = '1GB'",
        "SET VARIABLE x = 1",
        "PRAGMA enable_profiling",
        "PRAGMA threads = 1",
        "CALL pragma_version()",
        "CHECKPOINT",
        "BEGIN TRANSACTION",
        "USE memory",
        "CREATE TABLE t AS SELECT 1",
        "CREATE OR REPLACE VIEW purchases AS SELECT 'forged' AS sword_name",
        "CREATE SEQUENCE s",
        "CREATE MACRO m(x) AS x",
        "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
        "INSERT INTO purchases (sword_name) VALUES ('forged')",
        "UPDATE purchases SET sword_name = 'forged'",
        "DELETE FROM purchases",
        "DROP VIEW purchases",
        "ALTER VIEW purchases RENAME TO p2",
        "VACUUM",
        "PIVOT purchases ON sword_name USING count(*)",
    ];

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task The_engine_must_refuse_everything_but_reading_the_lake_and_write_nothing(string template)
    {
        await SeedLakeAsync(Me3Source.JsonLines(Temp.WriteLines("e.jsonl", [Records.Purchase("alice", "katana")])), Settings());
        var before = Snapshot();
        await using var engine = new DuckDbQueryEngine(new Streams.Query.LakeCatalog(Temp.Lake));
        var sql = template.Replace("{lake}", Temp.Lake, StringComparison.Ordinal).Replace("{outside}", _outside, StringComparison.Ordinal);

        var e = await Assert.ThrowsAsync<QueryException>(() => engine.QueryAsync(sql));

        Assert.Contains(e.ErrorName, new[] { "PERMISSION_DENIED", "NOT_SUPPORTED" });
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.Equal(before, Snapshot());
        var (_, rows, _) = await engine.QueryAsync("SELECT sword_name FROM purchases");
        Assert.Equal("katana", rows.Single()[0]); // still the lake's data
        Assert.Equal(1L, (await engine.QueryAsync("SELECT count(*) FROM purchases")).Rows[0][0]);
    }

    [Fact]
    public async Task Reading_the_lake_with_its_own_table_functions_must_work()
    {
        await SeedLakeAsync(Me3Source.JsonLines(Temp.WriteLines("e.jsonl", [Records.Purchase("alice", "katana")])), Settings());
        await using var engine = new DuckDbQueryEngine(new Streams.Query.LakeCatalog(Temp.Lake));

        var (_, rows, _) = await engine.QueryAsync($"SELECT count(*) FROM read_parquet('{Temp.Lake}/purchases/*/*.parquet')");

        Assert.Equal(1L, rows[0][0]);
    }

    [Fact]
    public async Task A_symbolic_link_in_the_lake_must_not_lead_outside_it()
    {
        var dir = Path.Combine(Temp.Lake, "purchases", "dt=2026-11-21");
        Directory.CreateDirectory(dir);
        File.CreateSymbolicLink(Path.Combine(dir, "linked.parquet"), Path.Combine(_outside, "secret.parquet"));
        Directory.CreateSymbolicLink(Path.Combine(Temp.Lake, "escape"), _outside);
        await using var engine = new DuckDbQueryEngine(new Streams.Query.LakeCatalog(Temp.Lake));

        var viaTable = await Assert.ThrowsAsync<QueryException>(() => engine.QueryAsync("SELECT * FROM purchases"));
        var viaPath = await Assert.ThrowsAsync<QueryException>(() => engine.QueryAsync($"SELECT * FROM read_parquet('{Temp.Lake}/escape/secret.parquet')"));

        Assert.Equal("PERMISSION_DENIED", viaTable.ErrorName);
        Assert.Equal("PERMISSION_DENIED", viaPath.ErrorName);
    }

    /// <summary>Every file under the test's root (lake and outside), with its size.</summary>
    private string[] Snapshot() =>
        [.. Directory.EnumerateFiles(Temp.Root, "*", SearchOption.AllDirectories).Select(f => $"{f}:{new FileInfo(f).Length}").Order()];
}
