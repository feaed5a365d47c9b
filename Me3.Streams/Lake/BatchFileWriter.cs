using System.Globalization;
using Me3.Streams.Lake.Encoders;

namespace Me3.Streams.Lake;

/// <summary>
/// Lands one table batch: Snappy Parquet files under <c>{lake}/{table}/dt=YYYY-MM-DD/</c>, one per date (and per
/// group of partitions when their ranges would make the name too long). Each file is written under a hidden
/// temporary name, flushed to disk, and atomically renamed; the directory is flushed too. When this returns, the
/// batch is durable. When it throws, nothing of the batch is visible (temporary files are removed when possible,
/// and recovery removes any that remain).
/// </summary>
internal static class BatchFileWriter
{
    /// <summary>Writes a batch; <paramref name="canPublish"/> is asked right before the files become visible.</summary>
    /// <exception cref="PartitionFencedException">It said no: nothing of the batch was published.</exception>
    public static async Task<IReadOnlyList<LandedFile>> WriteAsync(TableBatch batch, string lake, IParquetEncoder encoder, RowGroupBounds bounds, bool fsync, Func<bool> canPublish, CancellationToken ct)
    {
        var source = batch.Source ?? throw new InvalidOperationException("An empty batch cannot be written.");
        var writeId = Guid.NewGuid().ToString("N")[..12];
        var groups = Group(batch, source);
        var written = new List<(string Temp, string Final, int Rows, IReadOnlyList<OffsetRange> Ranges)>(groups.Count);
        string? manifest = null;
        try
        {
            foreach (var group in groups)
            {
                var dir = Path.Combine(lake, batch.Schema.Name, "dt=" + new DateTime((long)group.Day * TimeSpan.TicksPerDay).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                Directory.CreateDirectory(dir);
                var final = Path.Combine(dir, LakeFileName.Format(source, group.Ranges));
                var temp = Path.Combine(dir, LakeFileName.Temp(Path.GetFileName(final), writeId));
                written.Add((temp, final, group.Rows?.Length ?? batch.Count, group.Ranges));
                await encoder.WriteAsync(batch, group.Rows, temp, source, bounds, ct).ConfigureAwait(false);
                if (fsync)
                {
                    Fsync(temp);
                }
            }

            if (!canPublish())
            {
                throw new PartitionFencedException();
            }

            if (written.Count > 1)
            {
                manifest = WriteManifest.Write(lake, writeId, written.Select(w => (w.Temp, w.Final)).ToArray(), fsync);
                foreach (var w in written)
                {
                    WriteManifest.Complete(w.Temp, w.Final); // a writer taking over a partition may roll it forward too
                }
            }
            else
            {
                DurableFile.Publish(written[0].Temp, written[0].Final);
            }

            if (fsync)
            {
                foreach (var dir in written.Select(w => Path.GetDirectoryName(w.Final)!).Distinct())
                {
                    DurableFile.FsyncDirectory(dir);
                }
            }

            if (manifest is not null)
            {
                File.Delete(manifest);
            }
        }
        catch when (manifest is null)
        {
            foreach (var w in written)
            {
                TryDelete(w.Temp);
            }

            throw;
        }

        return written.Select(w => new LandedFile(batch.Schema.Name, w.Final, w.Rows, new FileInfo(w.Final).Length, w.Ranges)).ToArray();
    }

    private sealed record FileGroup(int Day, int[]? Rows, IReadOnlyList<OffsetRange> Ranges);

    /// <summary>Splits a batch's rows by date, and further by partitions when one name would be too long.</summary>
    private static List<FileGroup> Group(TableBatch batch, string source)
    {
        var partitions = batch.Partitions.Span;
        var offsets = batch.Offsets.Span;
        var firstDay = batch.Day(0);
        var singleDay = true;
        for (var i = 1; i < batch.Count && singleDay; i++)
        {
            singleDay = batch.Day(i) == firstDay;
        }

        var byDay = new SortedDictionary<int, List<int>>();
        if (!singleDay)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var day = batch.Day(i);
                if (!byDay.TryGetValue(day, out var rows))
                {
                    byDay[day] = rows = [];
                }

                rows.Add(i);
            }
        }

        var result = new List<FileGroup>();
        IEnumerable<(int Day, int[]? Rows)> dayGroups = singleDay
            ? [(firstDay, null)]
            : byDay.Select(kv => (kv.Key, (int[]?)kv.Value.ToArray()));
        foreach (var (day, rows) in dayGroups)
        {
            var ranges = new SortedDictionary<int, OffsetRange>();
            var count = rows?.Length ?? batch.Count;
            for (var k = 0; k < count; k++)
            {
                var i = rows?[k] ?? k;
                var p = partitions[i];
                var o = offsets[i];
                ranges[p] = ranges.TryGetValue(p, out var r)
                    ? new OffsetRange(p, Math.Min(r.First, o), Math.Max(r.Last, o))
                    : new OffsetRange(p, o, o);
            }

            // Keep names short enough for every file system: split partitions over several files if needed.
            var chunk = new List<OffsetRange>();
            foreach (var range in ranges.Values)
            {
                if (chunk.Count > 0 && LakeFileName.Format(source, [.. chunk, range]).Length > LakeFileName.MaxLength)
                {
                    result.Add(Subset(day, rows, count, batch.Partitions.Span, chunk));
                    chunk = [];
                }

                chunk.Add(range);
            }

            result.Add(chunk.Count == ranges.Count ? new FileGroup(day, rows, chunk) : Subset(day, rows, count, partitions, chunk));
        }

        return result;
    }

    private static FileGroup Subset(int day, int[]? rows, int count, ReadOnlySpan<int> partitions, List<OffsetRange> chunk)
    {
        var wanted = chunk.Select(r => r.Partition).ToHashSet();
        var subset = new List<int>();
        for (var k = 0; k < count; k++)
        {
            var i = rows?[k] ?? k;
            if (wanted.Contains(partitions[i]))
            {
                subset.Add(i);
            }
        }

        return new FileGroup(day, subset.ToArray(), chunk.ToArray());
    }

    /// <summary>Flushes a written file's bytes to disk (the encoders write through their own handles).</summary>
    private static void Fsync(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, bufferSize: 1);
        file.Flush(flushToDisk: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // recovery removes leftovers
        }
        catch (UnauthorizedAccessException)
        {
            // recovery removes leftovers
        }
    }
}
