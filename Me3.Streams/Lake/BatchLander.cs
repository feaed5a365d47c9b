using System.Diagnostics;
using Me3.Streams.Lake.Encoders;
using Me3.Streams.Settings;

namespace Me3.Streams.Lake;

/// <summary>Lands a table batch in the lake, off the stream's thread; the writer stage's only way to storage.</summary>
internal interface IBatchLander
{
    /// <summary>Makes the batch durable and visible; <paramref name="canPublish"/> is asked right before it becomes visible.</summary>
    /// <exception cref="PartitionFencedException">It said no: nothing of the batch was published.</exception>
    Task<IReadOnlyList<LandedFile>> LandAsync(TableBatch batch, Func<bool> canPublish);
}

/// <summary>
/// Lands batches as Snappy Parquet files with the configured encoder, each on a thread of its own: encoding a batch
/// takes a few hundred milliseconds of CPU, and on the thread pool it would hold back the short decoding tasks the
/// stream waits for in order (on two cores, two writes would take every pool thread).
/// </summary>
internal sealed class FileBatchLander(LakeSettings settings) : IBatchLander
{
    private readonly IParquetEncoder _encoder = ParquetEncoders.For(settings.ParquetWriter);
    private readonly RowGroupBounds _bounds = new(settings.RowGroupRows, settings.RowGroupBytes);

    public Task<IReadOnlyList<LandedFile>> LandAsync(TableBatch batch, Func<bool> canPublish) =>
        Task.Factory.StartNew(
            async () =>
            {
                var started = Stopwatch.GetTimestamp();
                var files = await BatchFileWriter.WriteAsync(batch, settings.Path, _encoder, _bounds, settings.Fsync, canPublish, CancellationToken.None).ConfigureAwait(false);
                Me3Metrics.WriteDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("table", batch.Schema.Name));
                return files;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap();
}
