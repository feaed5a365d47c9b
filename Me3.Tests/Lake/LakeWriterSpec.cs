using System.Diagnostics;
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
        RunWriter(settings, lander, _exact);

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
        foreach (var checkpoint in await DrainCheckpointsAsync(downstream))
        {
            summary.Add(checkpoint);
        }

        return summary;
    }

    /// <summary>Every checkpoint up to the final one, then completion.</summary>
    private static async Task<List<LakeCheckpoint>> DrainCheckpointsAsync(TestSubscriber.Probe<LakeCheckpoint> downstream)
    {
        var checkpoints = new List<LakeCheckpoint>();
        do
        {
            checkpoints.Add(await downstream.RequestNextAsync(TimeSpan.FromSeconds(30)));
        }
        while (!checkpoints[^1].IsFinal);

        await downstream.ExpectCompleteAsync();
        return checkpoints;
    }

    [Fact]
    public async Task LakeWriter_must_stop_asking_for_records_while_writes_cannot_keep_up_and_ask_again_once_they_land()
    {
        await StreamSpecAsync(async () =>
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
        await StreamSpecAsync(async () =>
        {
            // 2 KiB records, 32 KiB batches, a 64 KiB bound, the first write held: without the bound the writer would
            // take every record while it waits.
            var json = $$"""{"event_type":"purchase_sword","user_name":"{{new string('x', 2000)}}"}""";
            var settings = Settings() with { MaxBatchRecords = 100_000, MaxBatchBytes = 32 * 1024, MaxBufferedBytes = 64 * 1024, MaxBatchInterval = TimeSpan.FromHours(1) };
            var lander = new GatedLander(settings, held: 1);
            var (upstream, downstream) = Run(settings, lander);
            var taken = (int)Math.Ceiling(64.0 * 1024 / json.Length); // the record that reaches the bound is the last taken
            var perBatch = (int)Math.Ceiling(32.0 * 1024 / json.Length); // likewise for a batch

            var requested = await FeedAsync(upstream, i => Block(json, i), 0, taken + HeldByTheGraph);
            await lander.FirstWrite;
            await upstream.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
            Assert.Equal(taken + HeldByTheGraph, requested);

            lander.Release();
            await FeedAsync(upstream, i => Block(json, i), taken + HeldByTheGraph, 500);
            upstream.SendComplete();
            var files = (await DrainCheckpointsAsync(downstream)).SelectMany(c => c.Files).ToArray();

            // Memory never forced a write early: every file is one full batch but the last.
            Assert.Equal(500, files.Sum(f => f.Rows));
            Assert.Equal((500 + perBatch - 1) / perBatch, files.Length);
            Assert.All(files.SkipLast(1), f => Assert.Equal(perBatch, f.Rows));
        }, _exact);
    }

    [Fact]
    public async Task A_full_batch_must_land_at_once_however_long_its_interval()
    {
        await StreamSpecAsync(async () =>
        {
            var settings = Settings().WithBatchBounds(3, 8L << 20, TimeSpan.FromHours(1));
            var (upstream, downstream) = Run(settings, new FileBatchLander(settings));
            downstream.Request(1);

            for (var i = 0; i < 3; i++)
            {
                await upstream.SendNextAsync(Block(Records.Purchase($"u{i}", "s"), i));
            }

            var checkpoint = await downstream.ExpectNextAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(3, checkpoint.Files.Sum(f => f.Rows));
            Assert.Equal(3, checkpoint.Offsets.Single().NextOffset);
            Assert.False(checkpoint.IsFinal);

            await downstream.CancelAsync();
            await upstream.ExpectCancellationAsync();
        }, _exact);
    }

    [Fact]
    public async Task A_partial_batch_must_land_once_its_interval_has_passed_and_not_before()
    {
        await StreamSpecAsync(async () =>
        {
            var interval = TimeSpan.FromSeconds(1);
            var settings = Settings().WithBatchBounds(1000, 8L << 20, interval);
            var lander = new GatedLander(settings, held: 0);
            var (upstream, downstream) = Run(settings, lander);
            downstream.Request(1);

            var sent = Stopwatch.StartNew();
            await upstream.SendNextAsync(Block(Records.Purchase("a", "s"), 0));
            await upstream.ExpectRequestAsync(); // the graph took the record and wants more

            // Before the interval: no write asked for, no file, no checkpoint.
            await downstream.ExpectNoMsgAsync(interval / 2);
            Assert.Equal(0, lander.Writes);
            Assert.Empty(Temp.ParquetFiles("purchases"));

            var checkpoint = await downstream.ExpectNextAsync(TimeSpan.FromSeconds(30));
            // The batch's age starts after the record was sent, so this holds however slow the machine is.
            Assert.True(sent.Elapsed >= interval, $"landed after {sent.Elapsed}, before its interval of {interval}");
            Assert.Equal(1, lander.Writes);
            Assert.Equal(1, checkpoint.Files.Single().Rows);
            Assert.Equal(1, checkpoint.Offsets.Single().NextOffset);
            Assert.False(checkpoint.IsFinal);

            upstream.SendComplete();
            Assert.True((await downstream.RequestNextAsync()).IsFinal);
            await downstream.ExpectCompleteAsync();
        }, _exact);
    }

    [Fact]
    public async Task Completion_must_land_the_last_partial_batch_then_emit_a_final_checkpoint_and_complete()
    {
        await StreamSpecAsync(async () =>
        {
            var settings = Settings().WithBatchBounds(1000, 8L << 20, TimeSpan.FromHours(1));
            var lander = new GatedLander(settings, held: 0);
            var (upstream, downstream) = Run(settings, lander);
            downstream.Request(1);
            for (var i = 0; i < 5; i++)
            {
                await upstream.SendNextAsync(Block(Records.Purchase($"u{i}", "s"), i));
            }

            await upstream.ExpectRequestAsync(); // the graph took all five and wants more
            await downstream.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
            Assert.Equal(0, lander.Writes);

            upstream.SendComplete();
            var last = await downstream.ExpectNextAsync(TimeSpan.FromSeconds(30));
            await downstream.ExpectCompleteAsync();

            Assert.True(last.IsFinal);
            Assert.Equal(5, last.Files.Single().Rows);
            Assert.Equal(5, last.Offsets.Single().NextOffset);
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(5, duck.Count("purchases"));
        }, _exact);
    }

    [Fact]
    public async Task An_upstream_failure_must_fail_the_writer_with_that_error_and_leave_what_landed_in_the_lake()
    {
        await StreamSpecAsync(async () =>
        {
            var settings = Settings().WithBatchBounds(3, 8L << 20, TimeSpan.FromHours(1));
            var (upstream, downstream) = Run(settings, new FileBatchLander(settings));
            downstream.Request(10);
            for (var i = 0; i < 5; i++)
            {
                await upstream.SendNextAsync(Block(Records.Purchase($"u{i}", "s"), i));
            }

            var landed = await downstream.ExpectNextAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(3, landed.Files.Single().Rows);

            var failure = new IOException("the source broke");
            upstream.SendError(failure);

            Assert.Same(failure, await downstream.ExpectErrorAsync());
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal([0L, 1, 2], duck.Positions("purchases").Select(p => p.Offset).Order());
            Assert.Empty(Directory.GetFiles(Temp.Lake, "*.tmp", SearchOption.AllDirectories));
        }, _exact);
    }

    [Fact]
    public async Task A_downstream_cancel_must_cancel_upstream_and_land_nothing_it_buffered()
    {
        await StreamSpecAsync(async () =>
        {
            var settings = Settings().WithBatchBounds(1000, 8L << 20, TimeSpan.FromHours(1));
            var lander = new GatedLander(settings, held: 0);
            var (upstream, downstream) = Run(settings, lander);
            await upstream.SendNextAsync(Block(Records.Purchase("a", "s"), 0));
            await upstream.ExpectRequestAsync();

            await downstream.CancelAsync();

            await upstream.ExpectCancellationAsync();
            Assert.Equal(0, lander.Writes);
            Assert.Empty(Temp.ParquetFiles("purchases"));
        }, _exact);
    }

    [Fact]
    public async Task A_restart_after_a_stop_mid_stream_must_land_every_record_exactly_once()
    {
        await StreamSpecAsync(async () =>
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
        });
    }

    [Fact]
    public async Task Leftover_temp_files_must_be_ignored_by_readers_and_removed_on_restart()
    {
        await StreamSpecAsync(async () =>
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
        });
    }

    [Fact]
    public async Task A_write_interrupted_after_its_manifest_must_be_completed_by_recovery()
    {
        await StreamSpecAsync(async () =>
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
        });
    }

    [Fact]
    public async Task Many_partitions_must_split_into_files_whose_names_fit_and_recover_exactly()
    {
        await StreamSpecAsync(async () =>
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
        });
    }

    [Fact]
    public async Task Sources_must_keep_separate_offsets_in_one_lake()
    {
        await StreamSpecAsync(async () =>
        {
            await IngestAsync(Purchases(5, source: "day1.jsonl"), Settings());
            var second = await IngestAsync(Purchases(5, source: "day2.jsonl"), Settings());

            Assert.Equal(5, second.RowsLanded);
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(10, duck.Count("purchases"));
        });
    }
}
