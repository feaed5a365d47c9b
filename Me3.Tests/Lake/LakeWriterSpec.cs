using System.Text;
using System.Text.Json;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Lake;

public sealed class LakeWriterSpec : LakeSpec
{
    private readonly IMaterializer _exact;

    public LakeWriterSpec() => _exact = Sys.Materializer(ActorMaterializerSettings.Create(Sys).WithInputBuffer(1, 1));

    private static readonly string[] AllTables = ["purchases", "gjoins", "other_events", "dead_letters"];

    private static IEnumerable<SourceRecord> Purchases(int count, int partitions = 1, string source = "events") =>
        Enumerable.Range(0, count).Select(i => Records.Json(Records.Purchase($"u{i}", "s"), offset: i / partitions, partition: i % partitions, source: source));

    /// <summary>Decoding one block at a time and a one-element input buffer make demand exact: the writer's records,
    /// plus one block held by the decoding step and one by the input buffer.</summary>
    private (TestPublisher.Probe<RecordBlock> Upstream, TestSubscriber.Probe<LakeCheckpoint> Downstream) Run(LakeSettings settings, IBatchLander lander) =>
        this.SourceProbe<RecordBlock>()
            .Via(LakeIngest.Flow(settings, lander, decodeParallelism: 1))
            .ToMaterialized(this.SinkProbe<LakeCheckpoint>(), Keep.Both)
            .Run(_exact);

    private const int HeldByTheGraph = 2;

    private static RecordBlock Block(string json, long offset) => RecordBlock.Of([Records.Json(json, offset: offset)]);

    /// <summary>Meets every request for records until <paramref name="total"/> were sent; returns how many were requested.</summary>
    private static async Task<long> FeedAsync(TestPublisher.Probe<RecordBlock> upstream, Func<long, RecordBlock> block, long from, long total)
    {
        var requested = 0L;
        for (var next = from; next < total;)
        {
            var n = await upstream.ExpectRequestAsync();
            requested += n;
            for (var i = 0; i < n && next < total; i++)
            {
                upstream.SendNext(block(next++));
            }
        }

        return requested;
    }

    private static async Task<IngestSummary> DrainAsync(TestSubscriber.Probe<LakeCheckpoint> downstream)
    {
        var summary = new IngestSummary();
        while (!summary.Completed)
        {
            summary.Add(await downstream.RequestNextAsync());
        }

        await downstream.ExpectCompleteAsync();
        return summary;
    }

    [Fact]
    public async Task LakeWriter_must_stop_asking_for_records_while_writes_cannot_keep_up_and_ask_again_once_they_land()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var settings = Settings(batchRecords: 50).WithMaxBufferedBytes(8L << 20);
            var lander = new GatedLander(settings, held: 1);
            var (upstream, downstream) = Run(settings, lander);
            RecordBlock Purchase(long i) => Block(Records.Purchase($"u{i}", "s"), i);

            // The first batch (50) is being written and held; the second fills to 50 and must wait for it: the writer
            // takes 100 records, and the graph holds two more.
            var requested = await FeedAsync(upstream, Purchase, 0, 100 + HeldByTheGraph);
            await lander.FirstWrite;
            await upstream.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
            Assert.Equal(100 + HeldByTheGraph, requested);

            // The held write lands: the full batch goes, and demand comes back.
            lander.Release();
            Assert.Equal(1, await upstream.ExpectRequestAsync());
            upstream.SendNext(Purchase(102));
            upstream.SendComplete();

            var summary = await DrainAsync(downstream);
            Assert.Equal(103, summary.RowsLanded);
        }, _exact);
    }

    [Fact]
    public async Task Memory_must_stay_within_the_buffered_bytes_bound_whatever_the_input_size()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            // 2 KiB records, a 64 KiB bound, writes held: without the bound the writer would take every record.
            var json = $$"""{"event_type":"purchase_sword","user_name":"{{new string('x', 2000)}}"}""";
            var settings = Settings(batchRecords: 100_000) with { MaxBatchBytes = 32 * 1024, MaxBufferedBytes = 64 * 1024 };
            var lander = new GatedLander(settings);
            var (upstream, downstream) = Run(settings, lander);
            var taken = (int)Math.Ceiling(64.0 * 1024 / json.Length); // the record that reaches the bound is the last taken

            var requested = await FeedAsync(upstream, i => Block(json, i), 0, taken + HeldByTheGraph);
            await upstream.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
            Assert.Equal(taken + HeldByTheGraph, requested);

            lander.Release();
            await FeedAsync(upstream, i => Block(json, i), taken + HeldByTheGraph, 500);
            upstream.SendComplete();
            var summary = await DrainAsync(downstream);

            Assert.Equal(500, summary.RowsLanded);
            // Each file holds at most one batch: 16 records of 2 KiB.
            Assert.InRange(summary.Tables["purchases"].FilesWritten, 500 / 17, 500);
        }, _exact);
    }

    [Fact]
    public async Task A_restart_after_a_stop_mid_stream_must_land_every_record_exactly_once()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var records = Purchases(3000, partitions: 3).ToArray();
            var settings = Settings(batchRecords: 200);

            // Stop after the first few checkpoints, as a crash would: what was not landed was not committed.
            var first = await Source.From(records).Via(Me3Flow.Blocks()).Via(Me3Flow.Ingest(settings)).Take(2).RunWith(Me3Sink.Summary(), Materializer);
            Assert.InRange(first.RowsLanded, 200, 2999);

            var second = await IngestAsync(records, settings);

            using var duck = new DuckLake(Temp.Lake);
            var positions = duck.Positions(AllTables);
            Assert.Equal(3000, positions.Count);
            Assert.Equal(3000, positions.Distinct().Count());
            // Writes in flight when the first run stopped still completed (durable, just not reported), so the
            // restart finds at least what the first run reported.
            Assert.InRange(second.AlreadyInLake, first.RowsLanded, 2999);
            Assert.Equal(3000, second.RowsLanded + second.AlreadyInLake);
        }, Materializer);
    }

    [Fact]
    public async Task Leftover_temp_files_must_be_ignored_by_readers_and_removed_on_restart()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            await IngestAsync(Purchases(10), Settings());
            var dir = Path.GetDirectoryName(Temp.ParquetFiles("purchases")[0])!;
            var leftover = Path.Combine(dir, LakeFileName.Temp("events+0-10-19.parquet", "deadbeef"));
            File.WriteAllBytes(leftover, Encoding.UTF8.GetBytes("PAR1 half a file"));
            var otherSource = Path.Combine(dir, LakeFileName.Temp("other+0-10-19.parquet", "deadbeef"));
            File.WriteAllBytes(otherSource, [1, 2, 3]);

            using (var duck = new DuckLake(Temp.Lake))
            {
                Assert.Equal(10, duck.Count("purchases")); // a hidden temp file is not part of the table
            }

            var summary = await IngestAsync(Purchases(20), Settings());

            Assert.False(File.Exists(leftover));
            Assert.True(File.Exists(otherSource)); // another source's writer may still be using it
            Assert.Equal(10, summary.RowsLanded);
            Assert.Equal(10, summary.AlreadyInLake);
        }, Materializer);
    }

    [Fact]
    public async Task A_write_interrupted_after_its_manifest_must_be_completed_by_recovery()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            // Land a two-date batch in a scratch lake, then rebuild the state a crash would leave: both files under
            // their temporary names and the manifest of renames, no file visible.
            var records = new[]
            {
                Records.Json(Records.Purchase("a", "s", "2026-11-20T10:00:00Z"), offset: 0),
                Records.Json(Records.Purchase("b", "s", "2026-11-21T10:00:00Z"), offset: 1),
            };
            await IngestAsync(records, Settings());
            var moves = Temp.ParquetFiles("purchases").Select(final =>
            {
                var temp = Path.Combine(Path.GetDirectoryName(final)!, LakeFileName.Temp(Path.GetFileName(final), "crashed1"));
                File.Move(final, temp);
                return new[] { Path.GetRelativePath(Temp.Lake, temp), Path.GetRelativePath(Temp.Lake, final) };
            }).ToArray();
            Assert.Equal(2, moves.Length);
            Directory.CreateDirectory(Path.Combine(Temp.Lake, "_me3", "manifests"));
            File.WriteAllText(Path.Combine(Temp.Lake, "_me3", "manifests", "crashed1.json"), JsonSerializer.Serialize(moves));

            var summary = await IngestAsync(records, Settings());

            Assert.Equal(0, summary.RowsLanded);
            Assert.Equal(2, summary.AlreadyInLake);
            Assert.Equal(2, Temp.ParquetFiles("purchases").Count);
            Assert.Empty(Directory.GetFiles(Path.Combine(Temp.Lake, "_me3", "manifests")));
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(2, duck.Count("purchases"));
        }, Materializer);
    }

    [Fact]
    public async Task Many_partitions_must_split_into_files_whose_names_fit_and_recover_exactly()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            const long baseOffset = 1_000_000_000_000;
            var records = Enumerable.Range(0, 600)
                .Select(i => Records.Json(Records.Purchase($"u{i}", "s"), offset: baseOffset + i / 60, partition: i % 60))
                .ToArray();

            var first = await IngestAsync(records, Settings(batchRecords: 10_000));
            var second = await IngestAsync(records, Settings(batchRecords: 10_000));

            var names = Temp.ParquetFiles("purchases").Select(Path.GetFileName).ToArray();
            Assert.True(names.Length > 1);
            Assert.All(names, n => Assert.InRange(n!.Length, 1, LakeFileName.MaxLength + LakeFileName.Extension.Length));
            Assert.Equal(600, first.RowsLanded);
            Assert.Equal(600, second.AlreadyInLake);
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(600, duck.Positions("purchases").Distinct().Count());
        }, Materializer);
    }

    [Fact]
    public async Task Sources_must_keep_separate_offsets_in_one_lake()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            await IngestAsync(Purchases(5, source: "day1.jsonl"), Settings());
            var second = await IngestAsync(Purchases(5, source: "day2.jsonl"), Settings());

            Assert.Equal(5, second.RowsLanded);
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(10, duck.Count("purchases"));
        }, Materializer);
    }

    [Fact]
    public async Task A_batch_must_be_written_when_its_time_bound_passes_without_more_input()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var settings = Settings(batchRecords: 1000).WithBatchBounds(1000, 8L << 20, TimeSpan.FromMilliseconds(200));
            var (upstream, downstream) = Run(settings, new FileBatchLander(settings));

            await upstream.ExpectRequestAsync();
            upstream.SendNext(Block(Records.Purchase("a", "s"), 0));
            var checkpoint = await downstream.RequestNextAsync(TimeSpan.FromSeconds(10));

            Assert.Single(checkpoint.Files);
            Assert.Equal(1, checkpoint.Offsets.Single().NextOffset);
            Assert.False(checkpoint.IsFinal);
            upstream.SendComplete();
            Assert.True((await downstream.RequestNextAsync()).IsFinal);
            await downstream.ExpectCompleteAsync();
        }, _exact);
    }
}
