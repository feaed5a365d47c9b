using Akka.Streams.TestKit;
using Me3.Streams.Dsl;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Parquet;
using Xunit;

namespace Me3.Tests.Lake;

public sealed class ParquetEncoderSpec : LakeSpec
{
    private static readonly string[] Lines =
    [
        Records.Purchase("alice", "katana"),
        """{"event_type":"join_guild","user_name":"bob","guild_name":"ni","timestamp":"2026-11-22T23:59:59.999Z"}""",
        """{"event_type":"purchase_sword","user_name":"J\u00f6rg \ud83d\udde1 \"quoted\"","sword_name":"épée","Host":12.5,"extra":{"a":[1]}}""",
        """{"event_type":"purchase_sword","user_name":"\ud800","accept":null}""",
        """{"event_type":"mystery","User-Agent":"curl/8","timestamp":1795255200123}""",
        "not json",
        "",
        """[1,2]""",
    ];

    [Fact]
    public async Task Both_writers_must_land_files_that_DuckDB_and_ParquetNet_read_back_identically()
    {
        await StreamSpecAsync(async () =>
        {
            var file = Temp.WriteLines("events.jsonl", Lines);
            var native = Settings().WithParquetWriter(ParquetWriterKind.ParquetSharp);
            var managed = (Settings() with { Path = Path.Combine(Temp.Root, "managed") }).WithParquetWriter(ParquetWriterKind.ParquetNet);

            await IngestAsync(Me3Source.JsonLines(file), native);
            await IngestAsync(Me3Source.JsonLines(file), managed);

            using var a = new DuckLake(native.Path);
            using var b = new DuckLake(managed.Path);
            foreach (var table in new[] { "purchases", "gjoins", "other_events", "dead_letters" })
            {
                Assert.Equal(b.Describe(table), a.Describe(table));
                var sql = "SELECT * EXCLUDE (dt), dt FROM {0} ORDER BY kafka_offset";
                var rows = a.Rows(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, a.Table(table)));
                Assert.NotEmpty(rows);
                Assert.Equal(b.Rows(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, b.Table(table))), rows);
                Assert.Equal(await ReadWithParquetNetAsync(managed.Path, table), await ReadWithParquetNetAsync(native.Path, table));
            }

            Assert.Equal("J\u00f6rg \ud83d\udde1 \"quoted\"", a.Scalar<string>($"SELECT user_name FROM {a.Table("purchases")} WHERE kafka_offset = 2"));
        });
    }

    [Fact]
    public async Task A_ten_megabyte_value_must_not_put_its_statistics_in_the_footer()
    {
        await StreamSpecAsync(async () =>
        {
            var huge = new string('x', 10 << 20);
            var file = Temp.WriteLines("huge.jsonl", [$$"""{"event_type":"purchase_sword","user_name":"{{huge}}","sword_name":"s","timestamp":"2026-11-21T10:00:00Z"}""", Records.Purchase("a", "b")]);

            await IngestAsync(Me3Source.JsonLines(file), Settings());

            var path = Temp.ParquetFiles("purchases").MaxBy(f => new FileInfo(f).Length)!;
            Assert.InRange(FooterLength(path), 1, 64 * 1024);
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(10 << 20, duck.Scalar<long>($"SELECT max(length(user_name)) FROM {duck.Table("purchases")}"));
            Assert.Equal("a", duck.Scalar<string>($"SELECT min(user_name) FROM {duck.Table("purchases")}"));
        });
    }

    /// <summary>A Parquet file ends with the footer's length (4 bytes, little-endian) and <c>PAR1</c>.</summary>
    private static int FooterLength(string path)
    {
        using var stream = File.OpenRead(path);
        var tail = new byte[8];
        stream.Seek(-8, SeekOrigin.End);
        stream.ReadExactly(tail);
        Assert.Equal("PAR1"u8.ToArray(), tail[4..]);
        return BitConverter.ToInt32(tail, 0);
    }

    private static async Task<string?[]> ReadStringsAsync(ParquetRowGroupReader group, Parquet.Schema.DataField field)
    {
        var values = new string?[group.RowCount];
        await group.ReadAsync(field, values.AsMemory());
        return values;
    }

    private static async Task<T[]> ReadAsync<T>(ParquetRowGroupReader group, Parquet.Schema.DataField field)
        where T : struct
    {
        var values = new T[group.RowCount];
        await group.ReadAsync(field, values.AsMemory());
        return values;
    }

    private static async Task<List<string>> ReadWithParquetNetAsync(string lake, string table)
    {
        var rows = new List<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(lake, table), "*.parquet", SearchOption.AllDirectories).Order())
        {
            await using var reader = await ParquetReader.CreateAsync(path);
            var fields = reader.Schema.GetDataFields();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var columns = new List<string>();
                foreach (var field in fields)
                {
                    IEnumerable<object?> values = field.Name switch
                    {
                        "timestamp" => (await ReadAsync<DateTime>(group, field)).Select(t => t.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
                        "kafka_partition" => (await ReadAsync<int>(group, field)).Cast<object?>(),
                        "kafka_offset" => (await ReadAsync<long>(group, field)).Cast<object?>(),
                        _ => await ReadStringsAsync(group, field),
                    };
                    columns.Add(field.Name + "=" + string.Join("|", values.Select(v => v?.ToString() ?? "NULL")));
                }

                rows.Add(string.Join("\n", columns));
            }
        }

        return rows;
    }
}
