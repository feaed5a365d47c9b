using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Me3.Streams.Dsl;
using Me3.Streams.Query;
using Me3.Streams.Query.Trino;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Query.Trino;

/// <summary>The DDL that registers the lake in Trino's Hive connector, and the <c>register</c> command.</summary>
public sealed partial class TrinoHiveRegistrationSpec : LakeSpec
{
    private static TrinoHiveRegistration Registration(string location = "s3a://game-lake/me3", string catalog = "hive", string schema = "default") =>
        new(new LakeCatalog("/unused").DeclaredTables, catalog, schema, location);

    [Fact]
    public async Task Every_table_must_be_declared_with_the_columns_and_types_its_Parquet_files_have()
    {
        string[] lines =
        [
            Records.Purchase("alice", "katana"),
            """{"event_type":"join_guild","user_name":"bob","guild_name":"owls","User-Agent":"ME3_ios/1.0","timestamp":"2026-11-21T10:00:00Z"}""",
            """{"event_type":"default","user_name":"carol"}""",
            "not json",
        ];
        await SeedLakeAsync(Me3Source.JsonLines(Temp.WriteLines("e.jsonl", lines)), Settings());
        var registration = new TrinoHiveRegistration(new LakeCatalog(Temp.Lake).DeclaredTables, "hive", "default", "file://" + Temp.Lake);
        var creates = registration.Statements().Where(s => s.StartsWith("CREATE TABLE", StringComparison.Ordinal)).ToArray();

        Assert.Equal(4, creates.Length);
        foreach (var create in creates)
        {
            var table = TableName().Match(create).Groups[1].Value;
            var declared = ColumnDefinition().Matches(create).Select(m => (Name: m.Groups[1].Value, Type: m.Groups[2].Value)).ToArray();
            var file = Temp.ParquetFiles(table)[0];
            Assert.Equal([.. ParquetColumns(file), ("dt", "date")], declared);
            Assert.Contains($"external_location = 'file://{Temp.Lake}/{table}'", create, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_purchases_table_must_be_an_external_Parquet_table_partitioned_by_dt()
    {
        var create = Registration().Statements().Single(s => s.Contains("\"purchases\" (", StringComparison.Ordinal));

        Assert.Equal(
            """
            CREATE TABLE IF NOT EXISTS "hive"."default"."purchases" (
              "raw_event" varchar,
              "timestamp" timestamp(3),
              "accept" varchar,
              "host" varchar,
              "user_agent" varchar,
              "event_type" varchar,
              "user_name" varchar,
              "sword_name" varchar,
              "event_id" varchar,
              "kafka_partition" integer,
              "kafka_offset" bigint,
              "dt" date
            )
            WITH (
              external_location = 's3a://game-lake/me3/purchases',
              format = 'PARQUET',
              partitioned_by = ARRAY['dt']
            )
            """.ReplaceLineEndings("\n"), create);
    }

    [Fact]
    public void The_schema_must_come_first_and_each_table_must_have_its_partitions_synced_after_it_exists()
    {
        var statements = Registration(catalog: "lakehouse", schema: "game").Statements();

        Assert.Equal("CREATE SCHEMA IF NOT EXISTS \"lakehouse\".\"game\"", statements[0]);
        Assert.Equal(
            ["purchases", "gjoins", "other_events", "dead_letters"],
            statements.Where(s => s.StartsWith("CREATE TABLE", StringComparison.Ordinal)).Select(s => TableName().Match(s).Groups[1].Value));
        Assert.Equal(
            [.. new[] { "purchases", "gjoins", "other_events", "dead_letters" }.Select(t =>
                $"CALL \"lakehouse\".system.sync_partition_metadata(schema_name => 'game', table_name => '{t}', mode => 'FULL')")],
            statements.Skip(5));
    }

    [Fact]
    public void Names_and_the_location_must_be_quoted()
    {
        var statements = Registration(location: "file:///data/o'brien/lake/", schema: "we\"ird").Statements();

        Assert.Equal("CREATE SCHEMA IF NOT EXISTS \"hive\".\"we\"\"ird\"", statements[0]);
        Assert.Contains("external_location = 'file:///data/o''brien/lake/purchases'", statements[1], StringComparison.Ordinal);
        Assert.Contains("schema_name => 'we\"ird'", statements[5], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lake")]
    [InlineData("/data/lake")]
    [InlineData("file://data/lake")]
    [InlineData("ftp://host/lake")]
    [InlineData("http://host/lake")]
    public void A_location_Trino_cannot_read_must_be_refused(string location)
    {
        var e = Assert.Throws<ArgumentException>(() => Registration(location: location));

        Assert.Contains(location, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_register_command_must_print_the_DDL()
    {
        var (exit, output, error) = await SamplesCli.RunAsync("register", "--location", "s3a://game-lake/me3", "--print");

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Equal(Registration().Script(), output.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("bad location", "--location", "/data/lake", "--print")]
    [InlineData("nowhere to run", "--location", "s3a://b/lake")]
    [InlineData("bad server", "--location", "s3a://b/lake", "--trino", "localhost:8080")]
    [InlineData("credentials over http", "--location", "s3a://b/lake", "--trino", "http://trino.example.com:8080", "--token", "t")]
    [InlineData("password not in the environment", "--location", "s3a://b/lake", "--trino", "http://127.0.0.1:9", "--password")]
    public async Task Bad_arguments_must_fail_with_one_line_and_a_non_zero_exit(string why, params string[] args)
    {
        var (exit, output, error) = await SamplesCli.RunAsync(["register", .. args]);

        Assert.True(exit != 0, why);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_register_command_must_run_every_statement_through_the_client()
    {
        await using var server = await RecordedTrinoServer.StartAsync("register");

        var (exit, output, error) = await SamplesCli.RunAsync(
            "register", "--trino", server.Address.ToString(), "--catalog", "hive", "--schema", "default", "--location", "s3a://game-lake/me3", "--user", "etl");

        Assert.True(exit == 0, error);
        Assert.Contains("registered 4 tables in hive.default", output, StringComparison.Ordinal);
        Assert.Empty(server.Unexpected);
        Assert.Equal(Registration().Statements(), server.Requests.Select(r => r.Body));
        Assert.All(server.Requests, r => Assert.Equal("etl", r.Headers["X-Trino-User"]));
        Assert.All(server.Requests, r => Assert.Equal("hive", r.Headers["X-Trino-Catalog"]));
    }

    /// <summary>The Parquet columns of a file, in the Hive connector's types.</summary>
    private static List<(string, string)> ParquetColumns(string file)
    {
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT name, type, converted_type, CAST(logical_type AS VARCHAR) FROM parquet_schema('{file}') WHERE num_children IS NULL OR num_children = 0";
        using var reader = command.ExecuteReader();
        var columns = new List<(string, string)>();
        while (reader.Read())
        {
            var physical = reader.GetString(1);
            var converted = reader.IsDBNull(2) ? null : reader.GetString(2);
            var logical = reader.IsDBNull(3) ? "" : reader.GetString(3);
            if (logical.StartsWith("TimestampType", StringComparison.Ordinal) && logical.Contains("MILLIS", StringComparison.Ordinal))
            {
                converted = "TIMESTAMP_MILLIS";
            }

            columns.Add((reader.GetString(0), (physical, converted) switch
            {
                ("BYTE_ARRAY", "UTF8") => "varchar",
                ("INT64", "TIMESTAMP_MILLIS") => "timestamp(3)",
                ("INT32", null or "INT_32") => "integer",
                ("INT64", null or "INT_64") => "bigint",
                _ => $"unmapped {physical}/{converted}",
            }));
        }

        return columns;
    }

    [GeneratedRegex("""CREATE TABLE IF NOT EXISTS "[^"]+"\."[^"]+"\."([^"]+)" """)]
    private static partial Regex TableName();

    [GeneratedRegex("""^  "([^"]+)" ([a-z0-9()]+),?$""", RegexOptions.Multiline)]
    private static partial Regex ColumnDefinition();
}
