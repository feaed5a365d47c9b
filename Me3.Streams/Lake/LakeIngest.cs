using Akka;
using Akka.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Routing;
using Me3.Streams.Settings;

namespace Me3.Streams.Lake;

/// <summary>
/// The ingestion graph between a source and a committer: decode blocks on the thread pool (in order, as many at once
/// as there are cores), then append them to the table batches and land those (<see cref="LakeWriterStage"/>), whose
/// Parquet encoding runs on the thread pool too. So reading, decoding and encoding use every core.
/// </summary>
internal static class LakeIngest
{
    /// <summary>Blocks smaller than this are decoded on the stream's thread: a task costs more than they do.</summary>
    private const int InlineDecodeRecords = 16;

    /// <summary>Blocks decoded at once: one per core.</summary>
    public static int DecodeParallelism => Math.Max(1, Environment.ProcessorCount);

    public static Flow<RecordBlock, LakeCheckpoint, NotUsed> Flow(LakeSettings settings) =>
        Flow(settings, new FileBatchLander(settings), DecodeParallelism);

    public static Flow<RecordBlock, LakeCheckpoint, NotUsed> Flow(LakeSettings settings, IBatchLander lander, int decodeParallelism)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var writer = new LakeWriterStage(settings, lander);
        var decoder = new EventDecoder(LakeLayout.For(settings.Routing));
        return Akka.Streams.Dsl.Flow.Create<RecordBlock>()
            .SelectAsync(decodeParallelism, block => block.Count < InlineDecodeRecords
                ? Task.FromResult(decoder.Decode(block))
                : Task.Run(() => decoder.Decode(block)))
            .Via(writer)
            .Named("me3Ingest");
    }
}
