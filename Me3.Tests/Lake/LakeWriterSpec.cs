using System.Text;
using System.Text.Json;
using Akka.Streams;
using Akka.Streams.Dsl;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Lake;

public sealed class LakeWriterSpec : LakeSpec
{
    private static readonly string[] AllTables = ["purchases", "gjoins", "other_events", "dead_letters"];

    private static IEnumerable<SourceRecord> Purchases(int count, int partitions = 1, string source = "events") =>
        Enumerable.Range(0, count).Select(i => Records.Json(Records.Purchase($"u{i}", "s"), offset: i / partitions, partition: i % partitions, source: source));

    [Fact]
    public async Task LakeWriter_must_backpressure_by_demand_while_writes_cannot_keep_up()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writeStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var settings = Settings(batchRecords: 50).WithMaxBufferedBytes(8L << 20);
        var stage = new LakeWriterStage(settings)
        {
            BeforeWrite = () =>
            {
                writeStarted.TrySetResult();
                return gate.Task;
            },
        };
        var pulled = 0L;
        var demand = CreateTestProbe();

        // An endless source: only demand decides how much is read.
        var endless = Source.From(Enumerable.Range(0, int.MaxValue).Select(i =>
        {
            Interlocked.Increment(ref pulled);
            demand.Ref.Tell(i, Akka.Actor.ActorRefs.NoSender);
            return Records.Json(Records.Purchase($"u{i}", "s"), offset: i);
        }));
        var (kill, done) = endless
            .ViaMaterialized(KillSwitches.Single<SourceRecord>(), Keep.Right)
            .Via(Me3Flow.Decode(settings.Routing))
            .Via(Flow.FromGraph(stage))
            .ToMaterialized(Sink.Ignore<LakeCheckpoint>(), Keep.Both)
            .Run(Materializer);

        await writeStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // The first batch (50) is being written; the second fills to 50 and then the stage stops pulling.
        await demand.FishForMessageAsync(m => (int)m >= 99, TimeSpan.FromSeconds(10));
        demand.ReceiveWhile(TimeSpan.FromMilliseconds(500), m => m);
        var whileBlocked = Interlocked.Read(ref pulled);
        Assert.InRange(whileBlocked, 100, 100 + 64);
        await demand.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        gate.SetResult();
        await demand.FishForMessageAsync(m => (int)m > whileBlocked + 200, TimeSpan.FromSeconds(10));
        kill.Shutdown();
        await done.WaitAsync(TimeSpan.FromSeconds(10));
        await this.AssertAllStagesStoppedAsync(Materializer);
    }

    [Fact]
    public async Task Memory_must_stay_within_the_buffered_bytes_bound_whatever_the_input_size()
    {
        // 2 KiB records, a 64 KiB bound: without the bound the writer would take all 5000 before writing.
        var big = new string('x', 2000);
        var records = Enumerable.Range(0, 5000).Select(i => Records.Json($$"""{"event_type":"purchase_sword","user_name":"{{big}}"}""", offset: i));
        var settings = Settings(batchRecords: 100_000) with { MaxBatchBytes = 32 * 1024, MaxBufferedBytes = 64 * 1024 };

        var summary = await IngestAsync(records, settings);

        Assert.Equal(5000, summary.RowsLanded);
        // Each file holds at most one batch: about 16 records of 2 KiB each.
        Assert.InRange(summary.Tables["purchases"].FilesWritten, 5000 / 17, 5000);
    }

    [Fact]
    public async Task A_restart_after_a_stop_mid_stream_must_land_every_record_exactly_once()
    {
        var records = Purchases(3000, partitions: 3).ToArray();
        var settings = Settings(batchRecords: 200);

        // Stop after the first few checkpoints, as a crash would: what was not landed was not committed.
        var first = await Source.From(records).Via(Me3Flow.Ingest(settings)).Take(2).RunWith(Me3Sink.Summary(), Materializer);
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
    }

    [Fact]
    public async Task Leftover_temp_files_must_be_ignored_by_readers_and_removed_on_restart()
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
    }

    [Fact]
    public async Task A_write_interrupted_after_its_manifest_must_be_completed_by_recovery()
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
    }

    [Fact]
    public async Task Many_partitions_must_split_into_files_whose_names_fit_and_recover_exactly()
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
    }

    [Fact]
    public async Task Sources_must_keep_separate_offsets_in_one_lake()
    {
        await IngestAsync(Purchases(5, source: "day1.jsonl"), Settings());
        var second = await IngestAsync(Purchases(5, source: "day2.jsonl"), Settings());

        Assert.Equal(5, second.RowsLanded);
        using var duck = new DuckLake(Temp.Lake);
        Assert.Equal(10, duck.Count("purchases"));
    }

    [Fact]
    public async Task A_batch_must_be_written_when_its_time_bound_passes_without_more_input()
    {
        var settings = Settings(batchRecords: 1000).WithBatchBounds(1000, 8L << 20, TimeSpan.FromMilliseconds(200));
        var (queue, checkpoints) = Source.Queue<SourceRecord>(16, OverflowStrategy.Backpressure)
            .Via(Me3Flow.Ingest(settings))
            .ToMaterialized(Sink.Queue<LakeCheckpoint>(), Keep.Both)
            .Run(Materializer);

        await queue.OfferAsync(Records.Json(Records.Purchase("a", "s"), offset: 0));
        var checkpoint = await checkpoints.PullAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Single(checkpoint.Value.Files);
        Assert.Equal(1, checkpoint.Value.Offsets.Single().NextOffset);
        queue.Complete();
    }
}
