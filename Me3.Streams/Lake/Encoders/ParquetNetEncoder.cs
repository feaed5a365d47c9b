using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Me3.Streams.Routing;
using Parquet;

namespace Me3.Streams.Lake.Encoders;

/// <summary>
/// The pure-managed encoder, Parquet.Net, for platforms or users that refuse native code. Parquet.Net takes string
/// columns only as UTF-16, so each row group's text is converted once on the write task; it cannot leave out the
/// statistics of long values, so a huge value costs its size again in the footer.
/// </summary>
internal sealed class ParquetNetEncoder : IParquetEncoder
{
    public static readonly ParquetNetEncoder Instance = new();

    private static readonly ConditionalWeakTable<TableSchema, ParquetOptions> OptionsBySchema = [];

    private ParquetNetEncoder()
    {
    }

    public async Task WriteAsync(TableBatch batch, int[]? rows, string path, string source, RowGroupBounds bounds, CancellationToken ct)
    {
        var schema = batch.Schema;
        var count = rows?.Length ?? batch.Count;
        var timestamps = Gather(batch.TimestampsMs, rows, ms => DateTime.UnixEpoch.AddTicks(ms * TimeSpan.TicksPerMillisecond));
        var partitions = Gather(batch.Partitions, rows, p => p);
        var offsets = Gather(batch.Offsets, rows, o => o);

        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        await using var writer = await ParquetWriter.CreateAsync(ParquetNetSchema.For(schema), new SynchronousWriteStream(file), OptionsFor(schema), cancellationToken: ct).ConfigureAwait(false);
        writer.CustomMetadata = ParquetEncoders.Metadata(batch, source);
        var start = 0;
        while (start < count)
        {
            var length = ParquetEncoders.RowGroupLength(batch, rows, start, count, bounds);
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

    private static ReadOnlyMemory<TOut> Gather<TIn, TOut>(ReadOnlyMemory<TIn> memory, int[]? rows, Func<TIn, TOut> map)
    {
        var values = memory.Span;
        if (rows is null && typeof(TIn) == typeof(TOut))
        {
            return (ReadOnlyMemory<TOut>)(object)memory;
        }

        var count = rows?.Length ?? values.Length;
        var result = new TOut[count];
        for (var k = 0; k < count; k++)
        {
            result[k] = map(values[rows?[k] ?? k]);
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
