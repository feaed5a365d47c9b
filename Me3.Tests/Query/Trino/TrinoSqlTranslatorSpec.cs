using Me3.Streams.Query;
using Me3.Streams.Query.Trino;
using Me3.Streams.Query.Trino.Server;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Query.Trino;

/// <summary>How a Trino client's statement is put in terms of the embedded engine (names, SHOW, metadata tables).</summary>
public sealed class TrinoSqlTranslatorSpec : IDisposable
{
    private readonly TempLake _temp = new();
    private readonly TrinoSqlTranslator _translator;

    public TrinoSqlTranslatorSpec()
    {
        _translator = new TrinoSqlTranslator(new LakeCatalog(_temp.Lake), new UnusedEngine(), TrinoServerSettings.Default);
    }

    private static TrinoSession Session(string? catalog = "hive", string? schema = "default") => new("alice", catalog, schema, null, TrinoHeaders.Trino);

    private async Task<string> SqlAsync(string sql, TrinoSession? session = null) =>
        Assert.IsType<Translation.Query>(await _translator.TranslateAsync(sql, session ?? Session(), CancellationToken.None)).Sql;

    [Theory]
    [InlineData("SELECT count(*) FROM hive.default.purchases", "SELECT count(*) FROM \"purchases\"")]
    [InlineData("SELECT count(*) FROM lake.default.purchases p", "SELECT count(*) FROM \"purchases\" p")]
    [InlineData("SELECT count(*) FROM \"HIVE\".\"default\".\"purchases\"", "SELECT count(*) FROM \"purchases\"")]
    [InlineData("SELECT count(*) FROM default.purchases", "SELECT count(*) FROM \"purchases\"")]
    [InlineData("SELECT hive.default.purchases.user_name FROM hive.default.purchases", "SELECT \"purchases\".\"user_name\" FROM \"purchases\"")]
    [InlineData("SELECT purchases.user_name FROM purchases", "SELECT purchases.user_name FROM purchases")]
    [InlineData("SELECT 'hive.default.purchases' -- hive.default.x\nFROM purchases", "SELECT 'hive.default.purchases' -- hive.default.x\nFROM purchases")]
    [InlineData("SELECT count(*) FROM tpch.sf1.customer", "SELECT count(*) FROM tpch.sf1.customer")]
    public async Task Lake_tables_must_resolve_unqualified_and_qualified_by_a_lake_catalog_and_schema(string sql, string expected) =>
        Assert.Equal(expected, await SqlAsync(sql));

    [Fact]
    public async Task The_clients_own_session_catalog_and_schema_must_qualify_lake_tables_too()
    {
        Assert.Equal("SELECT 1 FROM \"purchases\"", await SqlAsync("SELECT 1 FROM analytics.game.purchases", Session("analytics", "game")));
        Assert.Equal("SELECT 1 FROM \"purchases\"", await SqlAsync("SELECT 1 FROM game.purchases", Session("analytics", "game")));
    }

    [Fact]
    public async Task The_reference_questions_must_pass_unchanged()
    {
        foreach (var sql in new[] { BusinessQuestions.MostPopularSwordSql, BusinessQuestions.TopBuyerSql, BusinessQuestions.PurchasesByUserAgentSql, BusinessQuestions.GuildJoinsByUserAgentSql })
        {
            Assert.Equal(sql, await SqlAsync(sql, Session(null, null)));
        }
    }

    [Fact]
    public async Task Metadata_tables_must_become_relations_keeping_a_given_alias()
    {
        var plain = await SqlAsync("SELECT table_name FROM system.jdbc.tables WHERE table_cat = 'hive'");
        var aliased = await SqlAsync("SELECT t.table_name FROM system.jdbc.tables AS t");

        Assert.StartsWith("SELECT table_name FROM (SELECT CAST(c0 AS VARCHAR) AS \"table_cat\"", plain, StringComparison.Ordinal);
        Assert.EndsWith(" AS \"tables\" WHERE table_cat = 'hive'", plain, StringComparison.Ordinal);
        Assert.EndsWith(")) AS t", aliased, StringComparison.Ordinal);
        Assert.Contains("'purchases'", plain, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SHOW TABLES", "Table")]
    [InlineData("SHOW TABLES FROM hive.default LIKE 'p%'", "Table")]
    [InlineData("SHOW SCHEMAS FROM lake", "Schema")]
    [InlineData("SHOW CATALOGS", "Catalog")]
    [InlineData("DESCRIBE hive.default.purchases", "Column")]
    [InlineData("SHOW COLUMNS FROM purchases LIKE 'user%'", "Column")]
    [InlineData("SHOW SESSION", "Name")]
    [InlineData("EXECUTE IMMEDIATE 'SHOW TABLES'", "Table")]
    public async Task Metadata_statements_must_become_queries_with_Trinos_column_names(string sql, string column) =>
        Assert.Contains($"AS \"{column}\"", await SqlAsync(sql), StringComparison.Ordinal);

    [Fact]
    public async Task USE_must_change_the_session_to_an_existing_schema()
    {
        var use = Assert.IsType<Translation.Use>(await _translator.TranslateAsync("USE lake.default", Session(), CancellationToken.None));

        Assert.Equal(new Translation.Use("lake", "default"), use);
    }

    [Theory]
    [InlineData("SHOW TABLES FROM hive.nowhere", "SCHEMA_NOT_FOUND")]
    [InlineData("SHOW SCHEMAS FROM tpch", "CATALOG_NOT_FOUND")]
    [InlineData("DESCRIBE hive.default.nothing", "TABLE_NOT_FOUND")]
    [InlineData("USE tpch.sf1", "CATALOG_NOT_FOUND")]
    [InlineData("SHOW TABLES FROM", "SYNTAX_ERROR")]
    [InlineData("SHOW TABLES LIKE p", "SYNTAX_ERROR")]
    [InlineData("SELECT 'unterminated", "SYNTAX_ERROR")]
    [InlineData("SHOW CREATE TABLE purchases", "NOT_SUPPORTED")]
    [InlineData("SET SESSION query_max_run_time = '1h'", "NOT_SUPPORTED")]
    [InlineData("RESET SESSION query_max_run_time", "NOT_SUPPORTED")]
    [InlineData("START TRANSACTION", "NOT_SUPPORTED")]
    [InlineData("COMMIT", "NOT_SUPPORTED")]
    [InlineData("PREPARE q FROM SELECT 1", "NOT_SUPPORTED")]
    [InlineData("EXECUTE IMMEDIATE 'SELECT ?' USING 1", "NOT_SUPPORTED")]
    [InlineData("  ;  ", "SYNTAX_ERROR")]
    public async Task Statements_the_front_cannot_serve_must_fail_with_Trinos_error_names(string sql, string errorName)
    {
        var e = await Assert.ThrowsAsync<QueryException>(() => _translator.TranslateAsync(sql, Session(), CancellationToken.None));

        Assert.Equal(errorName, e.ErrorName);
    }

    [Fact]
    public async Task A_syntax_error_must_say_where_it_is()
    {
        var e = await Assert.ThrowsAsync<QueryException>(() => _translator.TranslateAsync("SHOW TABLES\nFROM hive.default extra", Session(), CancellationToken.None));

        Assert.Equal((2, 19), (e.Line, e.Column));
        Assert.StartsWith("line 2:19: ", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>Declared tables need no engine; a probe would be a bug here.</summary>
    private sealed class UnusedEngine : IQueryEngine
    {
        public string Description => "unused";

        public Task<QueryResult> ExecuteAsync(string sql, QueryOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The translator must not query the engine for declared tables.");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
