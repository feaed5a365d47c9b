using System.Buffers;
using System.Globalization;
using System.Text;
using Me3.Streams.Routing;
using Parquet;

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
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TableSchema, ParquetOptions> OptionsBySchema = [];

    public static Task<IReadOnlyList<LandedFile>> WriteAsync(TableBatch batch, string lake, RowGroupBounds bounds, bool fsync, CancellationToken ct) =>
        WriteAsync(batch, lake, bounds, fsync, static () => true, ct);

    /// <summary>Writes a batch; <paramref name="canPublish"/> is asked right before the files become visible.</summary>
    /// <exception cref="PartitionFencedException">It said no: nothing of the batch was published.</exception>
    public static async Task<IReadOnlyList<LandedFile>> WriteAsync(TableBatch batch, string lake, RowGroupBounds bounds, bool fsync, Func<bool> canPublish, CancellationToken ct)
    {
        var source = batch.Source ?? throw new InvalidOperationException("An empty batch cannot be written.");
        var writeId = Guid.NewGuid().ToString("N")[..12];
        var groups = Group(batch, source);
        var written = new List<(string Temp, string Final, int Rows, IReadOnlyList<OffsetRange> Ranges)>(groups.Count);
        try
        {
            foreach (var group in groups)
            {
                var dir = Path.Combine(lake, batch.Schema.Name, "dt=" + new DateTime((long)group.Day * TimeSpan.TicksPerDay).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                Directory.CreateDirectory(dir);
                var final = Path.Combine(dir, LakeFileName.Format(source, group.Ranges));
                var temp = Path.Combine(dir, LakeFileName.Temp(Path.GetFileName(final), writeId));
                written.Add((temp, final, group.Rows?.Length ?? batch.Count, group.Ranges));
                await WriteParquetAsync(batch, group.Rows, temp, source, bounds, fsync, ct).ConfigureAwait(false);
            }

            if (!canPublish())
            {
                throw new PartitionFencedException();
            }

            var manifest = written.Count > 1
                ? WriteManifest.Write(lake, writeId, written.Select(w => (w.Temp, w.Final)).ToArray(), fsync)
                : null;
            foreach (var w in written)
            {
                DurableFile.Publish(w.Temp, w.Final);
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
        catch
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
        var days = batch.Days.Span;
        var partitions = batch.Partitions.Span;
        var offsets = batch.Offsets.Span;
        var singleDay = !days.ContainsAnyExcept(days[0]);
        var byDay = new SortedDictionary<int, List<int>>();
        if (!singleDay)
        {
            for (var i = 0; i < days.Length; i++)
            {
                if (!byDay.TryGetValue(days[i], out var rows))
                {
                    byDay[days[i]] = rows = [];
                }

                rows.Add(i);
            }
        }

        var result = new List<FileGroup>();
        IEnumerable<(int Day, int[]? Rows)> dayGroups = singleDay
            ? [(days[0], null)]
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

    private static async Task WriteParquetAsync(TableBatch batch, int[]? rows, string path, string source, RowGroupBounds bounds, bool fsync, CancellationToken ct)
    {
        var schema = batch.Schema;
        var count = rows?.Length ?? batch.Count;
        var timestamps = Gather(batch.Timestamps, rows);
        var partitions = Gather(batch.Partitions, rows);
        var offsets = Gather(batch.Offsets, rows);

        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        await using (var writer = await ParquetWriter.CreateAsync(ParquetNetSchema.For(schema), new SynchronousWriteStream(file), OptionsFor(schema), cancellationToken: ct).ConfigureAwait(false))
        {
            writer.CustomMetadata = new Dictionary<string, string>
            {
                ["me3.table"] = schema.Name,
                ["me3.source"] = source,
                ["me3.writer"] = "Me3.Streams " + typeof(BatchFileWriter).Assembly.GetName().Version,
            };
            var start = 0;
            while (start < count)
            {
                var length = RowGroupLength(batch, rows, start, count, bounds);
                using var rowGroup = writer.CreateRowGroup();
                for (var c = 0; c < schema.Columns.Count; c++)
                {
                    var field = ParquetNetSchema.Field(schema, c);
                    switch (schema.Columns[c].Role)
                    {
                        case ColumnRole.Timestamp:
                            await rowGroup.WriteAsync(field, timestamps.Slice(start, length), cancellationToken: ct).ConfigureAwait(false);
                            break;
                        case ColumnRole.KafkaPartition:
                            await rowGroup.WriteAsync(field, partitions.Slice(start, length), cancellationToken: ct).ConfigureAwait(false);
                            break;
                        case ColumnRole.KafkaOffset:
                            await rowGroup.WriteAsync(field, offsets.Slice(start, length), cancellationToken: ct).ConfigureAwait(false);
                            break;
                        default:
                            using (var text = TextColumn.Decode(batch, c, rows, start, length))
                            {
                                await rowGroup.WriteAsync(field, text.Values, cancellationToken: ct).ConfigureAwait(false);
                            }

                            break;
                    }
                }

                rowGroup.CompleteValidate();
                start += length;
            }
        }

        file.Flush(flushToDisk: fsync);
    }

    /// <summary>How many rows from <paramref name="start"/> go in the next row group: bounded by rows and by JSON bytes,
    /// so that one row group's text never needs much memory to encode.</summary>
    private static int RowGroupLength(TableBatch batch, int[]? rows, int start, int count, RowGroupBounds bounds)
    {
        var max = Math.Min(bounds.Rows, count - start);
        long bytes = 0;
        for (var k = 0; k < max; k++)
        {
            bytes += batch.RawLength(rows?[start + k] ?? start + k);
            if (bytes >= bounds.Bytes)
            {
                return k + 1;
            }
        }

        return max;
    }

    private static ReadOnlyMemory<T> Gather<T>(ReadOnlyMemory<T> memory, int[]? rows)
    {
        if (rows is null)
        {
            return memory;
        }

        var values = memory.Span;
        var result = new T[rows.Length];
        for (var k = 0; k < rows.Length; k++)
        {
            result[k] = values[rows[k]];
        }

        return result;
    }

    private static ParquetOptions OptionsFor(TableSchema schema) => OptionsBySchema.GetValue(schema, static schema =>
    {
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy };
        for (var c = 0; c < schema.Columns.Count; c++)
        {
            if (TableSchema.PaysToDictionaryEncode(schema.Columns[c]))
            {
                options.ColumnEncodingHints[ParquetNetSchema.Field(schema, c).Path.ToString()] = EncodingHint.Dictionary;
            }
        }

        return options;
    });

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

    /// <summary>One row group's text column as UTF-16 slices of one pooled buffer, for Parquet.Net.</summary>
    private readonly struct TextColumn : IDisposable
    {
        // Retaining pools sized for row groups: the shared pool lets arrays this large go, and a fresh 32 MB array
        // costs more to zero and fault in than to fill.
        private static readonly ArrayPool<char> CharPool = ArrayPool<char>.Create(64 * 1024 * 1024, 4);
        private static readonly ArrayPool<ReadOnlyMemory<char>?> ValuePool = ArrayPool<ReadOnlyMemory<char>?>.Create(1 << 20, 4);

        private readonly char[] _chars;
        private readonly ReadOnlyMemory<char>?[] _values;
        private readonly int _length;

        private TextColumn(char[] chars, ReadOnlyMemory<char>?[] values, int length)
        {
            _chars = chars;
            _values = values;
            _length = length;
        }

        public ReadOnlyMemory<ReadOnlyMemory<char>?> Values => _values.AsMemory(0, _length);

        public static TextColumn Decode(TableBatch batch, int column, int[]? rows, int start, int length)
        {
            var total = 0;
            for (var k = 0; k < length; k++)
            {
                if (batch.TryGetText(column, rows?[start + k] ?? start + k, out var utf8))
                {
                    total += utf8.Length; // UTF-8 never decodes to more UTF-16 chars than bytes
                }
            }

            var chars = CharPool.Rent(Math.Max(total, 1));
            var values = ValuePool.Rent(length);
            var used = 0;
            for (var k = 0; k < length; k++)
            {
                if (batch.TryGetText(column, rows?[start + k] ?? start + k, out var utf8))
                {
                    var n = Encoding.UTF8.GetChars(utf8, chars.AsSpan(used));
                    values[k] = new ReadOnlyMemory<char>(chars, used, n);
                    used += n;
                }
                else
                {
                    values[k] = null;
                }
            }

            return new TextColumn(chars, values, length);
        }

        public void Dispose()
        {
            CharPool.Return(_chars);
            ValuePool.Return(_values, clearArray: true);
        }
    }
}

/// <summary>Row groups end at whichever comes first: this many rows, or this many bytes of event JSON.</summary>
internal readonly record struct RowGroupBounds(int Rows, long Bytes);
