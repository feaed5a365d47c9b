using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Dsl;

/// <summary><see cref="Me3Sink.Summary"/>: what a run landed, per table.</summary>
public sealed class SummarySpec : LakeSpec
{
    private static readonly Dictionary<string, long> NoneSkipped = [];

    private static LandedFile File(string table, int rows, long bytes) =>
        new(table, $"/lake/{table}/dt=2026-11-21/events+0-0-{rows - 1}.parquet", rows, bytes, [new OffsetRange(0, 0, rows - 1)]);

    private static LakeCheckpoint Checkpoint(LandedFile[] files, Dictionary<string, long>? skipped = null, bool final = false) =>
        new(files, [new CommittableOffset("events", 0, files.Sum(f => f.Rows), null)], skipped ?? NoneSkipped, final);

    [Fact]
    public async Task Summary_must_add_rows_files_bytes_and_skipped_records_per_table_and_hold_them_once_its_input_completes()
    {
        // A one-element input buffer: each request the probe sees is the sink asking for one more.
        var exact = Sys.Materializer(ActorMaterializerSettings.Create(Sys).WithInputBuffer(1, 1));
        await StreamSpecAsync(async () =>
        {
            var (upstream, summary) = this.SourceProbe<LakeCheckpoint>().ToMaterialized(Me3Sink.Summary(), Keep.Both).Run(exact);

            await upstream.SendNextAsync(Checkpoint([File("purchases", 3, 100), File("dead_letters", 1, 10)], new() { ["purchases"] = 2 }));
            await upstream.SendNextAsync(Checkpoint([File("purchases", 4, 50)]));
            await upstream.ExpectRequestAsync(); // it took both and asks for more: it never backpressures
            Assert.False(summary.IsCompleted);

            await upstream.SendNextAsync(Checkpoint([File("gjoins", 2, 20)], new() { ["other_events"] = 5 }, final: true));
            await upstream.SendCompleteAsync();
            var result = await summary;

            Assert.Equal(["dead_letters", "gjoins", "other_events", "purchases"], result.Tables.Keys);
            var purchases = result.Tables["purchases"];
            Assert.Equal((7L, 2, 150L, 2L), (purchases.RowsLanded, purchases.FilesWritten, purchases.BytesWritten, purchases.AlreadyInLake));
            var deadLetters = result.Tables["dead_letters"];
            Assert.Equal((1L, 1, 10L, 0L), (deadLetters.RowsLanded, deadLetters.FilesWritten, deadLetters.BytesWritten, deadLetters.AlreadyInLake));
            var others = result.Tables["other_events"];
            Assert.Equal((0L, 0, 5L), (others.RowsLanded, others.FilesWritten, others.AlreadyInLake));
            Assert.Equal(10, result.RowsLanded);
            Assert.Equal(7, result.AlreadyInLake);
            Assert.True(result.Completed);
        }, exact);
    }

    [Fact]
    public async Task Summary_must_say_not_completed_when_its_input_ends_before_the_final_checkpoint()
    {
        await StreamSpecAsync(async () =>
        {
            var (upstream, summary) = this.SourceProbe<LakeCheckpoint>().ToMaterialized(Me3Sink.Summary(), Keep.Both).Run(Materializer);

            await upstream.SendNextAsync(Checkpoint([File("purchases", 3, 100)]));
            await upstream.SendCompleteAsync();
            var result = await summary;

            Assert.False(result.Completed);
            Assert.Equal(3, result.RowsLanded);
        });
    }

    [Fact]
    public async Task Summary_must_fail_with_the_error_its_input_fails_with()
    {
        await StreamSpecAsync(async () =>
        {
            var (upstream, summary) = this.SourceProbe<LakeCheckpoint>().ToMaterialized(Me3Sink.Summary(), Keep.Both).Run(Materializer);
            var failure = new Me3.Streams.Me3Exception("the lake is gone");

            await upstream.SendNextAsync(Checkpoint([File("purchases", 3, 100)]));
            await upstream.SendErrorAsync(failure);

            Assert.Same(failure, await Assert.ThrowsAsync<Me3.Streams.Me3Exception>(() => summary));
        });
    }

    [Fact]
    public async Task Summary_of_a_file_ingest_must_count_what_the_lake_holds_per_table_dead_letters_included()
    {
        await StreamSpecAsync(async () =>
        {
            var file = Temp.WriteLines("mixed.jsonl",
            [
                Records.Purchase("alice", "katana"),
                "not json",
                Records.Purchase("bob", "needle"),
                """{"event_type":"join_guild","user_name":"carol","guild_name":"ni"}""",
                "[1,2]",
                """{"event_type":"wave","user_name":"dora"}""",
                Records.Purchase("erin", "rapier"),
            ]);

            // Two records per batch: a table whose rows arrive over several batches lands several files.
            var summary = await IngestAsync(Me3Source.JsonLines(file), Settings(batchRecords: 2));

            Assert.True(summary.Completed);
            Assert.Equal(7, summary.RowsLanded);
            Assert.Equal(0, summary.AlreadyInLake);
            using var duck = new DuckLake(Temp.Lake);
            foreach (var (table, rows, files) in new[] { ("purchases", 3L, 2), ("dead_letters", 2L, 1), ("gjoins", 1L, 1), ("other_events", 1L, 1) })
            {
                var landed = summary.Tables[table];
                Assert.Equal(rows, landed.RowsLanded);
                Assert.Equal(rows, duck.Count(table));
                Assert.Equal(files, landed.FilesWritten);
                Assert.Equal(Temp.ParquetFiles(table).Count, landed.FilesWritten);
                Assert.Equal(Temp.ParquetFiles(table).Sum(f => new FileInfo(f).Length), landed.BytesWritten);
            }

            var again = await IngestAsync(Me3Source.JsonLines(file), Settings(batchRecords: 2));
            Assert.Equal(0, again.RowsLanded);
            Assert.Equal(2, again.Tables["dead_letters"].AlreadyInLake);
            Assert.Equal(3, again.Tables["purchases"].AlreadyInLake);
            Assert.Equal(7, again.AlreadyInLake);
        });
    }

    private (TestPublisher.Probe<RecordBlock> Upstream, Task<IngestSummary> Summary) RunIngest() =>
        this.SourceProbe<RecordBlock>()
            .Via(Me3Flow.Ingest(Settings().WithBatchBounds(3, 8L << 20, TimeSpan.FromHours(1))))
            .ToMaterialized(Me3Sink.Summary(), Keep.Both)
            .Run(Materializer);

    private static RecordBlock Purchases(int from, int count) =>
        RecordBlock.Of(Enumerable.Range(from, count).Select(i => Records.Json(Records.Purchase($"u{i}", "s"), offset: i)));

    [Fact]
    public async Task Summary_of_an_ingest_must_come_once_its_input_completed_and_its_last_partial_batch_landed()
    {
        await StreamSpecAsync(async () =>
        {
            var (upstream, summary) = RunIngest();

            await upstream.SendNextAsync(Purchases(0, 5)); // a full batch of 3 lands, 2 wait for more
            await AwaitConditionAsync(() => Task.FromResult(Temp.ParquetFiles("purchases").Count == 1), TimeSpan.FromSeconds(30));
            Assert.False(summary.IsCompleted);

            await upstream.SendCompleteAsync();
            var result = await summary;

            Assert.True(result.Completed);
            Assert.Equal(5, result.RowsLanded);
            Assert.Equal(2, result.Tables["purchases"].FilesWritten);
            Assert.Equal(2, Temp.ParquetFiles("purchases").Count);
        });
    }

    [Fact]
    public async Task Summary_of_an_ingest_must_fail_with_the_inputs_error_and_what_landed_must_stay()
    {
        await StreamSpecAsync(async () =>
        {
            var (upstream, summary) = RunIngest();
            var failure = new IOException("the source broke");

            await upstream.SendNextAsync(Purchases(0, 5));
            await AwaitConditionAsync(() => Task.FromResult(Temp.ParquetFiles("purchases").Count == 1), TimeSpan.FromSeconds(30));
            await upstream.SendErrorAsync(failure);

            Assert.Same(failure, await Assert.ThrowsAsync<IOException>(() => summary));
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal([0L, 1, 2], duck.Positions("purchases").Select(p => p.Offset).Order());
        });
    }
}
