using System.Buffers;
using System.Runtime.CompilerServices;
using Me3.Streams.Routing;
using ParquetSharp;
using ParquetSharp.Schema;

namespace Me3.Streams.Lake.Encoders;

/// <summary>
/// The default encoder: ParquetSharp's low-level column writers (Apache Arrow's C++ Parquet writer), fed the
/// batch's UTF-8 values in place by address, so text is never converted to UTF-16 or copied again before Snappy.
/// </summary>
internal sealed class ParquetSharpEncoder : IParquetEncoder
{
    public static readonly ParquetSharpEncoder Instance = new();

    private static readonly ConditionalWeakTable<TableSchema, Layout> Layouts = [];

    // jemalloc keeps freed pages for reuse across files, within bounded arenas; where the native library was built
    // without it, the system allocator. Arrow's default (mimalloc) gave its pages back after every file and faulted
    // in fresh zeroed ones for the next, which measured about 7% of ingest CPU.
    private static readonly Lazy<ParquetSharp.MemoryPool> Pool = new(() =>
    {
        try
        {
            return ParquetSharp.MemoryPool.JemallocMemoryPool();
        }
        catch (ParquetException)
        {
            return ParquetSharp.MemoryPool.SystemMemoryPool();
        }
    });

    private ParquetSharpEncoder()
    {
    }

    public Task WriteAsync(TableBatch batch, int[]? rows, string path, string source, RowGroupBounds bounds, CancellationToken ct)
    {
        var schema = batch.Schema;
        var layout = Layouts.GetValue(schema, static s => new Layout(s));
        var count = rows?.Length ?? batch.Count;
        using var writer = new ParquetFileWriter(path, layout.Schema, layout.Properties, ParquetEncoders.Metadata(batch, source));
        var start = 0;
        while (start < count)
        {
            ct.ThrowIfCancellationRequested();
            var length = ParquetEncoders.RowGroupLength(batch, rows, start, count, bounds);
            using (var rowGroup = writer.AppendRowGroup())
            {
                for (var c = 0; c < schema.Columns.Count; c++)
                {
                    using var column = rowGroup.NextColumn();
                    switch (schema.Columns[c].Role)
                    {
                        case ColumnRole.Timestamp:
                            WriteValues((ColumnWriter<long>)column, batch.TimestampsMs.Span, rows, start, length);
                            break;
                        case ColumnRole.KafkaPartition:
                            WriteValues((ColumnWriter<int>)column, batch.Partitions.Span, rows, start, length);
                            break;
                        case ColumnRole.KafkaOffset:
                            WriteValues((ColumnWriter<long>)column, batch.Offsets.Span, rows, start, length);
                            break;
                        default:
                            WriteText((ColumnWriter<ByteArray>)column, batch, c, rows, start, length);
                            break;
                    }
                }
            }

            start += length;
        }

        writer.Close();
        return Task.CompletedTask;
    }

    private static void WriteValues<T>(ColumnWriter<T> writer, ReadOnlySpan<T> values, int[]? rows, int start, int length)
        where T : unmanaged
    {
        if (rows is null)
        {
            writer.WriteBatch(values.Slice(start, length));
            return;
        }

        var gathered = ArrayPool<T>.Shared.Rent(length);
        try
        {
            for (var k = 0; k < length; k++)
            {
                gathered[k] = values[rows[start + k]];
            }

            writer.WriteBatch(gathered.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(gathered);
        }
    }

    private static void WriteText(ColumnWriter<ByteArray> writer, TableBatch batch, int column, int[]? rows, int start, int length)
    {
        var levels = ArrayPool<short>.Shared.Rent(length);
        var values = ArrayPool<ByteArray>.Shared.Rent(length);
        try
        {
            var n = 0;
            for (var k = 0; k < length; k++)
            {
                var (address, bytes) = batch.TextAddress(column, rows?[start + k] ?? start + k);
                if (bytes < 0)
                {
                    levels[k] = 0;
                }
                else
                {
                    levels[k] = 1;
                    values[n++] = new ByteArray(address, bytes);
                }
            }

            writer.WriteBatch(length, levels.AsSpan(0, length), default, values.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<short>.Shared.Return(levels);
            ArrayPool<ByteArray>.Shared.Return(values);
        }
    }

    /// <summary>A table's Parquet schema and writer properties, built once per table.</summary>
    private sealed class Layout
    {
        public Layout(TableSchema schema)
        {
            var nodes = schema.Columns.Select(Node).ToArray();
            Schema = new GroupNode("schema", Repetition.Required, nodes);
            using var builder = new WriterPropertiesBuilder()
                .Compression(ParquetSharp.Compression.Snappy)
                .CreatedBy("Me3.Streams " + typeof(ParquetSharpEncoder).Assembly.GetName().Version)
                .MemoryPool(Pool.Value)
                .DisableDictionary();
            foreach (var column in schema.Columns)
            {
                if (TableSchema.PaysToDictionaryEncode(column))
                {
                    builder.EnableDictionary(column.Name);
                }

                if (column.Role is ColumnRole.RawEvent or ColumnRole.Error or ColumnRole.EventField)
                {
                    // Text: every file holds nearly the whole range of a column's values (players, swords, headers, ids
                    // arrive interleaved), so a min/max prunes nothing, and comparing every value cost about 7% of
                    // encoding. Time and source positions keep theirs: they do prune.
                    builder.DisableStatistics(column.Name);
                }
            }

            Properties = builder.Build();
        }

        public GroupNode Schema { get; }

        public WriterProperties Properties { get; }

        private static Node Node(LakeColumn column) => column.Role switch
        {
            ColumnRole.Timestamp => new PrimitiveNode(column.Name, Repetition.Required, LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Millis), PhysicalType.Int64),
            ColumnRole.KafkaPartition => new PrimitiveNode(column.Name, Repetition.Required, LogicalType.None(), PhysicalType.Int32),
            ColumnRole.KafkaOffset => new PrimitiveNode(column.Name, Repetition.Required, LogicalType.None(), PhysicalType.Int64),
            _ => new PrimitiveNode(column.Name, Repetition.Optional, LogicalType.String(), PhysicalType.ByteArray),
        };
    }
}
