using System.Text;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Me3.Streams;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Files;

public sealed class JsonLinesSourceSpec : LakeSpec
{
    private Task<System.Collections.Immutable.IImmutableList<SourceRecord>> ReadAsync(string path) =>
        StreamSpecAsync(() => Me3Source.JsonLines(path).SelectMany(block => block.Records()).RunWith(Sink.Seq<SourceRecord>(), Materializer));

    private static string Text(SourceRecord r) => Encoding.UTF8.GetString(r.Value.Span);

    [Fact]
    public async Task JsonLines_must_number_lines_from_zero_in_partition_zero_and_strip_CR_and_BOM()
    {
        var path = Temp.File("crlf.jsonl");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "{\"a\":1}\r\n{\"b\":2}\r\n\r\n{\"c\":3}"u8]);

        var records = await ReadAsync(path);

        Assert.Equal(["{\"a\":1}", "{\"b\":2}", "", "{\"c\":3}"], records.Select(Text));
        Assert.Equal([0L, 1, 2, 3], records.Select(r => r.Offset));
        Assert.All(records, r => Assert.Equal(0, r.Partition));
        Assert.All(records, r => Assert.Equal("crlf.jsonl", r.Source));
        Assert.All(records, r => Assert.Equal(File.GetLastWriteTimeUtc(path), r.Timestamp));
    }

    [Fact]
    public async Task JsonLines_must_read_lines_longer_than_its_read_blocks_whole()
    {
        var longLine = "{\"v\":\"" + new string('y', 3_000_000) + "\"}";
        var path = Temp.WriteLines("long.jsonl", ["{\"a\":1}", longLine, "{\"b\":2}"]);

        var records = await ReadAsync(path);

        Assert.Equal(3, records.Count);
        Assert.Equal(longLine, Text(records[1]));
        Assert.Equal("{\"b\":2}", Text(records[2]));
    }

    [Fact]
    public async Task JsonLines_must_read_many_lines_across_block_boundaries_in_order()
    {
        var lines = Enumerable.Range(0, 20_000).Select(i => $"{{\"i\":{i},\"pad\":\"{new string('p', i % 97)}\"}}").ToArray();
        var path = Temp.WriteLines("many.jsonl", lines);

        var records = await ReadAsync(path);

        Assert.Equal(lines, records.Select(Text));
    }

    [Fact]
    public async Task JsonLines_must_read_an_empty_file_as_no_records()
    {
        var path = Temp.File("empty.jsonl");
        File.WriteAllBytes(path, []);
        Assert.Empty(await ReadAsync(path));
    }

    [Fact]
    public async Task JsonLines_must_fail_with_a_clear_error_for_a_directory()
    {
        var error = await Assert.ThrowsAsync<Me3Exception>(() => ReadAsync(Temp.Root));
        Assert.Contains(Temp.Root, error.Message);
    }

    [Fact]
    public async Task JsonLines_must_read_only_on_demand_and_close_the_file_when_cancelled()
    {
        var path = Temp.WriteLines("many.jsonl", Enumerable.Range(0, 50_000).Select(i => Records.Purchase($"u{i}", "s")));
        await StreamSpecAsync(async () =>
        {
            var blocks = Me3Source.JsonLines(path).RunWith(this.SinkProbe<RecordBlock>(), Materializer);

            var first = await blocks.RequestNextAsync();
            Assert.Equal(0, first.Records().First().Offset);
            Assert.True(first.Count < 50_000);
            await blocks.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // no demand, nothing read ahead to it
            var second = await blocks.RequestNextAsync();
            Assert.Equal(first.Count, second.Records().First().Offset);

            await blocks.CancelAsync();
            await AwaitAssertAsync(() => Assert.DoesNotContain(path, OpenFiles()), TimeSpan.FromSeconds(10));
        });
    }

    /// <summary>The files this process has open (Linux).</summary>
    private static List<string> OpenFiles() =>
        [.. new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Select(fd => fd.LinkTarget).OfType<string>()];
}
