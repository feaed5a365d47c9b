using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Me3.Samples.Generation;
using Me3.Streams.Dsl;
using Me3.Streams.Lake;
using Me3.Tests.Support;
using Parquet;
using Xunit;

namespace Me3.Tests.Dsl;

public sealed class IngestSpec : LakeSpec
{
    private static readonly string[] AllTables = ["purchases", "gjoins", "other_events", "dead_letters"];

    private static IEnumerable<string> HostileLines()
    {
        yield return Records.Purchase("alice", "katana");
        yield return """{"event_type":"join_guild","user_name":"bob","guild_name":"ni","timestamp":"2026-11-22T23:59:59.999Z"}""";
        yield return """{"event_type":"purchase_sword","user_name":"trunc""";
        yield return """[1,2,3]""";
        yield return "42";
        yield return "";
        yield return """{"event_type":"mystery","User-Agent":"curl/8"}""";
        yield return """{"user_name":"no type"}""";
        yield return """{"event_type":"purchase_sword","user_name":"Jörg 🗡","sword_name":"épée","extra":{"a":[1,{"b":2}]}}""";
        yield return "{\"event_type\":\"purchase_sword\",\"user_name\":\"" + new string('x', 300_000) + "\"}";
        yield return "not json at all";
        yield return """{"event_type":"join_guild","guild_name":"late","timestamp":"2026-11-21T00:00:00Z"}""";
    }

    [Fact]
    public async Task Ingest_must_land_every_record_in_exactly_one_table()
    {
        await StreamSpecAsync(async () =>
        {
            var lines = HostileLines().ToArray();
            var file = Temp.WriteLines("hostile.jsonl", lines);

            var summary = await IngestAsync(Me3Source.JsonLines(file), Settings());

            Assert.True(summary.Completed);
            Assert.Equal(lines.Length, summary.RowsLanded);
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(3, duck.Count("purchases"));
            Assert.Equal(2, duck.Count("gjoins"));
            Assert.Equal(2, duck.Count("other_events"));
            Assert.Equal(5, duck.Count("dead_letters"));
            var positions = duck.Positions(AllTables).Select(p => p.Offset).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, lines.Length).Select(i => (long)i), positions);
        });
    }

    [Fact]
    public async Task A_poison_event_with_a_lone_surrogate_escape_must_land_and_not_stop_the_stream()
    {
        await StreamSpecAsync(async () =>
        {
            var file = Temp.WriteLines("poison.jsonl",
            [
                """{"event_type":"purchase_sword","user_name":"\ud800"}""",
                Records.Purchase("alice", "katana"),
                """{"event_type":"join_guild","guild_\udc00":"x","guild_name":"\ud83d","timestamp":"\ud800"}""",
            ]);

            var summary = await IngestAsync(Me3Source.JsonLines(file), Settings());

            Assert.Equal(3, summary.RowsLanded);
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(["\uFFFD", "alice"], duck.Rows($"SELECT user_name FROM {duck.Table("purchases")} ORDER BY kafka_offset").Select(r => (string)r[0]!));
            Assert.Equal("\uFFFD", duck.Scalar<string>($"SELECT guild_name FROM {duck.Table("gjoins")}"));
            Assert.Equal("""{"event_type":"purchase_sword","user_name":"\ud800"}""", duck.Scalar<string>($"SELECT raw_event FROM {duck.Table("purchases")} WHERE kafka_offset = 0"));
        });
    }

    [Fact]
    public async Task Landed_tables_must_have_the_documented_schema_for_an_independent_reader()
    {
        await StreamSpecAsync(async () =>
        {
            var file = Temp.WriteLines("events.jsonl", HostileLines());
            await IngestAsync(Me3Source.JsonLines(file), Settings());

            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(
                [
                    "raw_event:VARCHAR", "timestamp:TIMESTAMP WITH TIME ZONE", "accept:VARCHAR", "host:VARCHAR",
                    "user_agent:VARCHAR", "event_type:VARCHAR", "user_name:VARCHAR", "sword_name:VARCHAR",
                    "event_id:VARCHAR", "kafka_partition:INTEGER", "kafka_offset:BIGINT", "dt:DATE", // dt: the Hive partition directory
                ],
                duck.Describe("purchases").Select(kv => $"{kv.Key}:{kv.Value}"));
            Assert.Equal(["raw_event", "error", "timestamp", "kafka_partition", "kafka_offset", "dt"], duck.Describe("dead_letters").Keys);

            var alice = duck.Rows($"SELECT raw_event, user_agent, host, accept, user_name, sword_name, epoch_ms(timestamp), kafka_offset, dt FROM {duck.Table("purchases")} WHERE user_name = 'alice'").Single();
            Assert.Equal(Records.Purchase("alice", "katana"), alice[0]);
            Assert.Equal(["ApacheBench/2.3", "user1.comcast.com", "*/*", "alice", "katana"], alice[1..6]);
            Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, 123, TimeSpan.Zero).ToUnixTimeMilliseconds(), Convert.ToInt64(alice[6]));
            Assert.Equal(0L, alice[7]);
            Assert.Equal(new DateOnly(2026, 11, 21), alice[8]);

            var unicode = duck.Scalar<string>($"SELECT user_name FROM {duck.Table("purchases")} WHERE sword_name = 'épée'");
            Assert.Equal("Jörg 🗡", unicode);
            Assert.Equal(300_000, duck.Scalar<int>($"SELECT max(length(user_name)) FROM {duck.Table("purchases")}"));
            Assert.Equal(0, duck.Scalar<int>($"SELECT count(*) FROM {duck.Table("purchases")} WHERE accept IS NULL AND user_name = 'alice'"));
            Assert.Equal(2, duck.Scalar<int>($"SELECT count(*) FROM {duck.Table("purchases")} WHERE accept IS NULL"));

            var errors = duck.Rows($"SELECT kafka_offset, error, raw_event FROM {duck.Table("dead_letters")} ORDER BY kafka_offset");
            Assert.Equal([2L, 3L, 4L, 5L, 10L], errors.Select(r => r[0]));
            Assert.Contains("found an array", (string)errors[1][1]!);
            Assert.Equal("not json at all", errors[4][2]);
        });
    }

    [Fact]
    public async Task Landed_files_must_be_snappy_parquet_with_dictionary_encoding_where_it_pays_and_readable_by_ParquetNet()
    {
        await StreamSpecAsync(async () =>
        {
            var file = Temp.File("generated.jsonl");
            Samples.Commands.GenerateCommand.Generate(file, 5000, seed: 7);
            await IngestAsync(Me3Source.JsonLines(file), Settings(batchRecords: 100_000));

            using var duck = new DuckLake(Temp.Lake);
            var path = Temp.ParquetFiles("purchases")[0];
            var meta = duck.Rows($"SELECT path_in_schema, compression, encodings FROM parquet_metadata('{path}')")
                .ToDictionary(r => (string)r[0]!, r => ((string)r[1]!, (string)r[2]!));
            Assert.All(meta.Values, m => Assert.Equal("SNAPPY", m.Item1));
            Assert.Contains("DICTIONARY", meta["user_agent"].Item2);
            Assert.DoesNotContain("DICTIONARY", meta["raw_event"].Item2);

            await using var reader = await ParquetReader.CreateAsync(path);
            Assert.Equal("purchases", reader.CustomMetadata["me3.table"]);
            var fields = reader.Schema.GetDataFields();
            Assert.Equal("raw_event", fields[0].Name);
            var rows = 0L;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                rows += group.RowCount;
                var names = new string?[group.RowCount];
                await group.ReadAsync(fields.Single(f => f.Name == "user_name"), names.AsMemory());
                Assert.All(names, n => Assert.StartsWith("player_", n));
            }

            Assert.Equal(duck.Scalar<long>($"SELECT count(*) FROM read_parquet('{path}')"), rows);
        });
    }

    [Fact]
    public async Task Running_again_on_the_same_file_and_lake_must_land_nothing_twice()
    {
        await StreamSpecAsync(async () =>
        {
            var file = Temp.File("events.jsonl");
            Samples.Commands.GenerateCommand.Generate(file, 3000, seed: 1);

            var first = await IngestAsync(Me3Source.JsonLines(file), Settings(batchRecords: 500));
            var second = await IngestAsync(Me3Source.JsonLines(file), Settings(batchRecords: 500));

            Assert.Equal(3000, first.RowsLanded);
            Assert.Equal(0, second.RowsLanded);
            Assert.Equal(3000, second.AlreadyInLake);
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(3000, duck.Positions(AllTables).Distinct().Count());
            Assert.Equal(3000, duck.Positions(AllTables).Count);
        });
    }

    [Fact]
    public async Task Lines_appended_to_a_file_must_land_on_the_next_run_and_nothing_else()
    {
        await StreamSpecAsync(async () =>
        {
            var file = Temp.WriteLines("grow.jsonl", Enumerable.Range(0, 10).Select(i => Records.Purchase($"u{i}", "s")));
            await IngestAsync(Me3Source.JsonLines(file), Settings());
            File.AppendAllText(file, string.Join("\n", Enumerable.Range(10, 5).Select(i => Records.Purchase($"u{i}", "s"))) + "\n");

            var second = await IngestAsync(Me3Source.JsonLines(file), Settings());

            Assert.Equal(5, second.RowsLanded);
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), duck.Positions("purchases").Select(p => p.Offset).Order());
        });
    }

    [Fact]
    public async Task Files_must_be_laid_out_by_the_UTC_date_of_the_timestamp_even_within_one_batch()
    {
        await StreamSpecAsync(async () =>
        {
            var file = Temp.WriteLines("days.jsonl",
            [
                Records.Purchase("a", "s", "2026-11-20T23:59:59.999Z"),
                Records.Purchase("b", "s", "2026-11-21T00:00:00.000Z"),
                Records.Purchase("c", "s", "2026-11-21T01:00:00+02:00"), // 23:00 UTC on the 20th
                Records.Purchase("d", "s", "2026-11-20T12:00:00Z"),
            ]);

            await IngestAsync(Me3Source.JsonLines(file), Settings());

            var files = Temp.ParquetFiles("purchases").Select(f => Path.GetRelativePath(Temp.Lake, f)).ToArray();
            Assert.Equal(
                [Path.Combine("purchases", "dt=2026-11-20", "days.jsonl+0-0-3.parquet"), Path.Combine("purchases", "dt=2026-11-21", "days.jsonl+0-1-1.parquet")],
                files);
            Assert.False(Directory.Exists(Path.Combine(Temp.Lake, "_me3", "manifests")) && Directory.EnumerateFiles(Path.Combine(Temp.Lake, "_me3", "manifests")).Any());
        });
    }

    [Fact]
    public async Task Offsets_must_become_committable_only_after_every_file_holding_earlier_records_is_durable()
    {
        await StreamSpecAsync(async () =>
        {
            var file = Temp.File("events.jsonl");
            // Other events are 3% of the generated ones: offsets advance each time their (slowest-filling) batch lands.
            Samples.Commands.GenerateCommand.Generate(file, 20_000, seed: 3);
            var checks = 0;
            var landed = new HashSet<long>();
            var read = new HashSet<string>(StringComparer.Ordinal);

            var summary = await Me3Source.JsonLines(file)
                .Via(Me3Flow.Ingest(Settings(batchRecords: 100)))
                .Select(checkpoint =>
                {
                    // What the lake holds, read independently of the checkpoint: every visible file, each read once.
                    var visible = AllTables.SelectMany(Temp.ParquetFiles).Where(read.Add).ToArray();
                    if (visible.Length > 0)
                    {
                        using var duck = new DuckLake(Temp.Lake);
                        var list = string.Join(", ", visible.Select(f => $"'{f}'"));
                        landed.UnionWith(duck.Rows($"SELECT kafka_offset FROM read_parquet([{list}], union_by_name = true)").Select(r => Convert.ToInt64(r[0], System.Globalization.CultureInfo.InvariantCulture)));
                    }

                    foreach (var offset in checkpoint.Offsets)
                    {
                        for (long o = 0; o < offset.NextOffset; o++)
                        {
                            Assert.Contains(o, landed);
                        }

                        checks++;
                    }

                    return checkpoint;
                })
                .RunWith(Me3Sink.Summary(), Materializer);

            Assert.True(summary.Completed);
            Assert.True(checks > 3, $"only {checks} checkpoints carried offsets");
        });
    }

    [Fact]
    public async Task Ingesting_a_missing_file_must_fail_with_a_clear_error()
    {
        await StreamSpecAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<Me3.Streams.Me3Exception>(() =>
                IngestAsync(Me3Source.JsonLines(Temp.File("missing.jsonl")), Settings()));
            Assert.Contains("Cannot read", error.Message);
            Assert.Contains("missing.jsonl", error.Message);
        });
    }

    [Fact]
    public async Task Ingesting_into_an_unwritable_lake_must_fail_with_a_clear_error()
    {
        await StreamSpecAsync(async () =>
        {
            var blocker = Temp.File("not-a-dir");
            File.WriteAllText(blocker, "x");
            var settings = new Me3.Streams.Settings.LakeSettings(Path.Combine(blocker, "lake"));

            var error = await Assert.ThrowsAsync<Me3.Streams.Me3Exception>(() =>
                IngestAsync([Records.Json(Records.Purchase("a", "b"))], settings));
            Assert.Contains("Cannot open the lake", error.Message);
        });
    }

    [Fact]
    public async Task Generated_events_must_land_in_the_tables_their_event_type_names()
    {
        await StreamSpecAsync(async () =>
        {
            var file = Temp.File("generated.jsonl");
            using (var stream = File.Create(file))
            {
                new GameEventGenerator(seed: 5).WriteJsonLines(stream, 2000);
            }

            await IngestAsync(Me3Source.JsonLines(file), Settings(batchRecords: 700));

            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(0, duck.Count("dead_letters"));
            Assert.Equal(2000, duck.Count("purchases") + duck.Count("gjoins") + duck.Count("other_events"));
            Assert.Equal(1, duck.Scalar<long>($"SELECT count(DISTINCT event_type) FROM {duck.Table("purchases")}"));
            Assert.Equal("default", duck.Scalar<string>($"SELECT any_value(event_type) FROM {duck.Table("other_events")}"));
        });
    }
}
