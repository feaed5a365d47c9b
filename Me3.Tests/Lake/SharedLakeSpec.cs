using System.Text.Json;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Lake;

/// <summary>
/// Writers of several consumer-group members sharing one lake: a partition that moves to this writer resumes from
/// what the lake says, including what its previous owner left half done when it died.
/// </summary>
public sealed class SharedLakeSpec : LakeSpec
{
    private const string Day1 = "2026-11-20T10:00:00Z";
    private const string Day2 = "2026-11-21T10:00:00Z";

    /// <summary>Purchases of one partition; even offsets happened on day 1, odd ones on day 2, from offset 10 on all on
    /// day 2: a batch of offsets 0 to 9 is one file per day, each holding every other offset.</summary>
    private static SourceRecord Purchase(int partition, long offset, FakeConsumer? consumer = null) =>
        Records.Json(Records.Purchase($"u{partition}-{offset}", "s", offset < 10 && offset % 2 == 0 ? Day1 : Day2), offset, partition) with { Committer = consumer };

    private LakeSettings Lake(string path) => new LakeSettings(path).WithBatchBounds(5, 8L << 20, TimeSpan.FromSeconds(30));

    [Fact]
    public async Task A_partition_whose_previous_owner_died_between_the_renames_of_a_batch_must_get_that_batch_completed_not_lost_or_landed_twice()
    {
        await StreamSpecAsync(async () =>
        {
            // What the previous owner of partition 1 left: a batch of offsets 0-9 across two days, its manifest written,
            // the day-2 file renamed, the day-1 file still under its temporary name.
            var scratch = Temp.File("scratch");
            await IngestAsync(Enumerable.Range(0, 10).Select(o => Purchase(1, o)), Lake(scratch).WithBatchBounds(100, 8L << 20, TimeSpan.FromSeconds(30)));
            var consumer = new FakeConsumer(("events", 0));
            var settings = Lake(Temp.Lake);
            var (upstream, downstream) = RunWriter(settings);
            downstream.Request(1000);

            // This writer runs (lake open, watermarks read) before the other one dies.
            upstream.SendNext(RecordBlock.Of(Enumerable.Range(0, 5).Select(o => Purchase(0, o, consumer))));
            Assert.NotEmpty((await downstream.ExpectNextAsync()).Files);
            LeaveInterruptedBatch(scratch, "purchases", "events+1-0-8.parquet", "events+1-1-9.parquet");

            // The group moves partition 1 here; its records are read again from the last commit (0), and more come.
            consumer.Assign(("events", 1));
            upstream.SendNext(RecordBlock.Of(Enumerable.Range(0, 15).Select(o => Purchase(1, o, consumer))));
            upstream.SendComplete();
            await DrainAsync(downstream);

            using var duck = new DuckLake(Temp.Lake);
            var landed = duck.Positions("purchases").Order().ToArray();
            Assert.Equal([.. Enumerable.Range(0, 5).Select(o => (0, (long)o)), .. Enumerable.Range(0, 15).Select(o => (1, (long)o))], landed);
            Assert.Empty(Directory.GetFiles(Temp.Lake, "*.tmp", SearchOption.AllDirectories));
            Assert.Empty(Directory.GetFiles(Temp.Lake, "*.json", SearchOption.AllDirectories));
        });
    }

    [Fact]
    public async Task A_dead_owners_temporary_file_must_be_removed_by_the_writer_that_takes_over_one_of_its_partitions()
    {
        await StreamSpecAsync(async () =>
        {
            // The dead owner held partitions 1 and 2; the group gives 1 to this writer and 2 to another one.
            var scratch = Temp.File("scratch");
            await IngestAsync(new[] { 1, 2 }.SelectMany(p => Enumerable.Range(10, 3).Select(o => Purchase(p, o))), Lake(scratch).WithBatchBounds(100, 8L << 20, TimeSpan.FromSeconds(30)));
            var consumer = new FakeConsumer(("events", 0));
            var settings = Lake(Temp.Lake);
            var (upstream, downstream) = RunWriter(settings);
            downstream.Request(1000);
            upstream.SendNext(RecordBlock.Of(Enumerable.Range(0, 5).Select(o => Purchase(0, o, consumer))));
            Assert.NotEmpty((await downstream.ExpectNextAsync()).Files);
            var landedByTheDead = Path.Combine(scratch, "purchases", "dt=2026-11-21", "events+1-10-12+2-10-12.parquet");
            var temp = Path.Combine(Temp.Lake, "purchases", "dt=2026-11-21", LakeFileName.Temp("events+1-10-12+2-10-12.parquet", "0123456789ab"));
            File.Copy(landedByTheDead, temp);

            consumer.Assign(("events", 1));
            upstream.SendNext(RecordBlock.Of(Enumerable.Range(10, 3).Select(o => Purchase(1, o, consumer))));
            upstream.SendComplete();
            await DrainAsync(downstream);

            Assert.False(File.Exists(temp), "the dead owner's temporary file is still there");
            using var duck = new DuckLake(Temp.Lake);
            Assert.Equal(8, duck.Count("purchases"));
        });
    }

    /// <summary>Copies the files of a landed two-file batch into the lake as a crash between its two renames leaves
    /// them: the manifest of both renames, the second file renamed, the first still temporary.</summary>
    private void LeaveInterruptedBatch(string scratch, string table, string first, string second)
    {
        const string writeId = "0123456789ab";
        var moves = new List<string[]>();
        foreach (var (name, renamed) in new[] { (first, false), (second, true) })
        {
            var landed = Directory.GetFiles(Path.Combine(scratch, table), name, SearchOption.AllDirectories).Single();
            var dir = Path.Combine(Temp.Lake, table, Path.GetFileName(Path.GetDirectoryName(landed))!);
            Directory.CreateDirectory(dir);
            var final = Path.Combine(dir, name);
            var temp = Path.Combine(dir, LakeFileName.Temp(name, writeId));
            File.Copy(landed, renamed ? final : temp);
            moves.Add([Path.GetRelativePath(Temp.Lake, temp), Path.GetRelativePath(Temp.Lake, final)]);
        }

        var manifests = Path.Combine(Temp.Lake, "_me3", "manifests");
        Directory.CreateDirectory(manifests);
        File.WriteAllText(Path.Combine(manifests, writeId + ".json"), JsonSerializer.Serialize(moves));
    }

    private static async Task DrainAsync(TestSubscriber.Probe<LakeCheckpoint> downstream)
    {
        while (!(await downstream.ExpectNextAsync(TimeSpan.FromSeconds(30))).IsFinal)
        {
        }

        await downstream.ExpectCompleteAsync();
    }
}
