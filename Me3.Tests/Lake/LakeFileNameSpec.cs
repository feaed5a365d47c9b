using Me3.Streams.Lake;
using Xunit;

namespace Me3.Tests.Lake;

public sealed class LakeFileNameSpec
{
    [Fact]
    public void File_names_must_round_trip_their_offset_ranges()
    {
        var name = LakeFileName.Format("events", [new OffsetRange(3, 10, 99), new OffsetRange(0, 5, 7)]);
        Assert.Equal("events+0-5-7+3-10-99.parquet", name);
        Assert.True(LakeFileName.TryParse(name, "events", out var ranges));
        Assert.Equal([new OffsetRange(0, 5, 7), new OffsetRange(3, 10, 99)], ranges);
    }

    [Theory]
    [InlineData("events.v2+0-1-2.parquet")]
    [InlineData("part-0000.snappy.parquet")]
    [InlineData("events+0-9-2.parquet")]
    [InlineData("events+x-1-2.parquet")]
    [InlineData("events+0-1-2.parquet.tmp")]
    [InlineData(".events+0-1-2.parquet.abc.tmp")]
    [InlineData("events+0-1.parquet")]
    public void Files_of_other_sources_foreign_files_and_temp_files_must_not_parse(string name) =>
        Assert.False(LakeFileName.TryParse(name, "events", out _));

    [Fact]
    public void Temp_files_must_be_hidden_and_recognised_per_source()
    {
        var temp = LakeFileName.Temp("events+0-1-2.parquet", "abc");
        Assert.StartsWith(".", temp);
        Assert.True(LakeFileName.IsTempOf(temp, "events"));
        Assert.False(LakeFileName.IsTempOf(temp, "other"));
        Assert.False(LakeFileName.IsTempOf(LakeFileName.Temp("events.v2+0-1-2.parquet", "abc"), "events"));
    }

    [Theory]
    [InlineData("events.jsonl", "events.jsonl")]
    [InlineData(".hidden", "f.hidden")]
    [InlineData("my file+x.json", "my_file_x.json")]
    [InlineData("_x", "f_x")]
    public void File_source_names_must_be_made_safe(string file, string expected)
    {
        Assert.Equal(expected, LakeIdentifier.SourceFromFileName(file));
        Assert.True(LakeIdentifier.IsValidSource(expected));
    }
}
