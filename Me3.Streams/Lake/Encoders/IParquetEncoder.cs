using Me3.Streams.Settings;

namespace Me3.Streams.Lake.Encoders;

/// <summary>
/// Encodes rows of a table batch as one Snappy Parquet file: text columns as UTF-8 STRING, the timestamp as
/// TIMESTAMP(ms, UTC), the partition as INT32, the offset as INT64, with min/max statistics where they can prune (at
/// least the timestamp, partition and offset) and dictionary encoding where it pays. Row groups end at the given
/// bounds. Making the file durable and visible is the caller's business.
/// </summary>
internal interface IParquetEncoder
{
    /// <summary>Writes the rows listed in <paramref name="rows"/> (all rows when null) to a new file at <paramref name="path"/>.</summary>
    Task WriteAsync(TableBatch batch, int[]? rows, string path, string source, RowGroupBounds bounds, CancellationToken ct);
}

/// <summary>The encoder for a <see cref="ParquetWriterKind"/>.</summary>
internal static class ParquetEncoders
{
    public static IParquetEncoder For(ParquetWriterKind kind) => kind switch
    {
        ParquetWriterKind.ParquetNet => ParquetNetEncoder.Instance,
        _ => ParquetSharpEncoder.Instance,
    };

    /// <summary>How many rows from <paramref name="start"/> go in the next row group: bounded by rows and by JSON
    /// bytes, so that one row group never needs much memory to encode.</summary>
    public static int RowGroupLength(TableBatch batch, int[]? rows, int start, int count, RowGroupBounds bounds)
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

    public static Dictionary<string, string> Metadata(TableBatch batch, string source) => new()
    {
        ["me3.table"] = batch.Schema.Name,
        ["me3.source"] = source,
        ["me3.writer"] = "Me3.Streams " + typeof(ParquetEncoders).Assembly.GetName().Version,
    };
}

/// <summary>Row groups end at whichever comes first: this many rows, or this many bytes of event JSON.</summary>
internal readonly record struct RowGroupBounds(int Rows, long Bytes);
