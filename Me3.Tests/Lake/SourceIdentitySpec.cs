using System.Diagnostics;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Me3.Streams;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Lake;

/// <summary>
/// The lake knows a source only by its name and the offsets it landed. A different source under a name the lake holds
/// must stop the run with an error instead of having its records skipped as already landed.
/// </summary>
public sealed class SourceIdentitySpec : LakeSpec
{
    private static readonly string[] AllTables = ["purchases", "gjoins", "other_events", "dead_letters"];

    private static IEnumerable<string> Purchases(int count, string user = "u") => Enumerable.Range(0, count).Select(i => Records.Purchase($"{user}{i}", "s"));

    /// <summary>Yesterday's <c>events.jsonl</c>, landed: ten purchases, lines 0 to 9.</summary>
    private async Task<string> LandYesterdayAsync()
    {
        var yesterday = Temp.WriteLines(Path.Combine("yesterday", "events.jsonl"), Purchases(10));
        Assert.Equal(10, (await IngestAsync(Me3Source.JsonLines(yesterday), Settings())).RowsLanded);
        return yesterday;
    }

    private long LandedRows()
    {
        using var duck = new DuckLake(Temp.Lake);
        return duck.Positions(AllTables).Count;
    }

    public SourceIdentitySpec() => Directory.CreateDirectory(Temp.File("yesterday"));

    [Fact]
    public async Task A_shorter_file_under_a_name_the_lake_holds_must_fail_saying_so_and_land_nothing_of_it()
    {
        await StreamSpecAsync(async () =>
        {
            await LandYesterdayAsync();

            // Today's file of the same name is shorter; its guild join goes to a table the lake holds nothing of, so
            // without the check it would land while its purchases were skipped as already in the lake.
            var today = Temp.WriteLines("events.jsonl",
                [Records.Purchase("new0", "s"), """{"event_type":"join_guild","user_name":"new1","guild_name":"g"}""", Records.Purchase("new2", "s")]);
            var error = await Assert.ThrowsAsync<Me3Exception>(() => IngestAsync(Me3Source.JsonLines(today), Settings()));

            Assert.Contains("holds source 'events.jsonl' up to line 10", error.Message);
            Assert.Contains($"'{today}' has 3 lines", error.Message);
            Assert.Contains("nothing of it was landed", error.Message);
            Assert.Contains("--source-name", error.Message);
            Assert.DoesNotContain('\n', error.Message);
            Assert.Equal(("events.jsonl", 9L, today), (error.SourceName, error.Offset, error.File));
            Assert.Equal(10, LandedRows());

            // As the error says: under a source name of its own, all of it lands.
            var summary = await IngestAsync(Me3Source.JsonLines(today, "events-today"), Settings());
            Assert.Equal(3, summary.RowsLanded);
            Assert.Equal(13, LandedRows());
        });
    }

    [Fact]
    public async Task An_empty_file_under_a_name_the_lake_holds_must_fail_too()
    {
        await StreamSpecAsync(async () =>
        {
            await LandYesterdayAsync();
            var today = Temp.File("events.jsonl");
            File.WriteAllBytes(today, []);

            var error = await Assert.ThrowsAsync<Me3Exception>(() => IngestAsync(Me3Source.JsonLines(today), Settings()));

            Assert.Contains("has 0 lines", error.Message);
        });
    }

    [Fact]
    public async Task The_same_file_again_or_grown_must_not_be_taken_for_another()
    {
        await StreamSpecAsync(async () =>
        {
            var file = await LandYesterdayAsync();

            var again = await IngestAsync(Me3Source.JsonLines(file), Settings());
            File.AppendAllText(file, Records.Purchase("late", "s")); // the last line without a line feed is a line too
            var grown = await IngestAsync(Me3Source.JsonLines(file), Settings());

            Assert.Equal((0L, 10L), (again.RowsLanded, again.AlreadyInLake));
            Assert.Equal((1L, 10L), (grown.RowsLanded, grown.AlreadyInLake));
        });
    }

    [Fact]
    public async Task A_shorter_stream_read_from_a_pipe_must_fail_at_its_end()
    {
        await StreamSpecAsync(async () =>
        {
            await LandYesterdayAsync();

            // A pipe cannot be read twice to count its lines ahead: the check is made when it ends.
            var pipe = Temp.File("events.jsonl");
            using (var mkfifo = Process.Start("mkfifo", [pipe]))
            {
                await mkfifo.WaitForExitAsync();
                Assert.Equal(0, mkfifo.ExitCode);
            }

            var writing = Task.Run(() => File.WriteAllLines(pipe, Purchases(4, "new")));
            var error = await Assert.ThrowsAsync<Me3Exception>(() => IngestAsync(Me3Source.JsonLines(pipe), Settings()));
            await writing;

            Assert.Contains("up to line 10", error.Message);
            Assert.Contains("has 4 lines", error.Message);
            Assert.Equal(10, LandedRows());
        });
    }

    [Fact]
    public async Task A_Kafka_partition_that_ends_at_or_below_an_offset_the_lake_holds_must_fail_before_any_record_is_skipped()
    {
        await StreamSpecAsync(async () =>
        {
            var settings = Settings(batchRecords: 5);
            await IngestAsync(Enumerable.Range(0, 10).Select(o => Records.Json(Records.Purchase($"u{o}", "s"), offset: o, partition: 1)), settings);

            // The topic was re-created: partition 1 starts at 0 again and ends at 3, below the lake's offset 9.
            // Partition 0, which the lake has never seen, is fine.
            var consumer = new FakeConsumer(("events", 0), ("events", 1));
            consumer.Ends[("events", 0)] = 2;
            consumer.Ends[("events", 1)] = 3;
            var (upstream, downstream) = RunWriter(settings);
            downstream.Request(10);
            upstream.SendNext(RecordBlock.Of(Enumerable.Range(0, 2).Select(o => Records.Json(Records.Purchase($"p0-{o}", "s"), offset: o, partition: 0) with { Committer = consumer })));
            upstream.SendNext(RecordBlock.Of(Enumerable.Range(0, 3).Select(o => Records.Json(Records.Purchase($"new{o}", "s"), offset: o, partition: 1) with { Committer = consumer })));

            var error = Assert.IsType<Me3Exception>(await downstream.ExpectErrorAsync());
            Assert.Contains("holds topic 'events' partition 1 up to offset 9, but the partition ends at offset 3", error.Message);
            Assert.Contains("re-created", error.Message);
            Assert.Equal(("events", 1, 9L), (error.SourceName, error.Partition, error.Offset));
            await upstream.ExpectCancellationAsync();
            Assert.Equal(10, LandedRows());
        });
    }

    [Fact]
    public async Task A_Kafka_partition_whose_end_is_past_what_the_lake_holds_must_be_replayed_and_skipped_as_usual()
    {
        await StreamSpecAsync(async () =>
        {
            var settings = Settings(batchRecords: 5);
            await IngestAsync(Enumerable.Range(0, 10).Select(o => Records.Json(Records.Purchase($"u{o}", "s"), offset: o, partition: 1)), settings);

            // A restart from an older commit: offsets 5 to 11 are read, the lake holds up to 9, the partition ends at 12.
            var consumer = new FakeConsumer(("events", 1));
            consumer.Ends[("events", 1)] = 12;
            var summary = await IngestAsync(
                Enumerable.Range(5, 7).Select(o => Records.Json(Records.Purchase($"u{o}", "s"), offset: o, partition: 1) with { Committer = consumer }), settings);

            Assert.Equal((2L, 5L), (summary.RowsLanded, summary.AlreadyInLake));
        });
    }
}
