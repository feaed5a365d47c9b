using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Streams.Routing;
using Me3.Streams.Settings;

namespace Me3.Streams.Dsl;

/// <summary>The ingestion graph's flows: the whole graph, decoding for inspection, and grouping records into blocks.</summary>
public static class Me3Flow
{
    /// <summary>
    /// Decodes each record's JSON and routes it to a table, one object per record: for inspecting events (the
    /// ingestion graph, <see cref="Ingest"/>, decodes blocks without them). Never fails on bad input: records that
    /// are not JSON objects come out as dead letters.
    /// <para><b>Emits when</b> a record arrives (one event per record, in order).</para>
    /// <para><b>Backpressures when</b> downstream backpressures.</para>
    /// <para><b>Completes when</b> upstream completes.</para>
    /// <para><b>Cancels when</b> downstream cancels.</para>
    /// </summary>
    /// <param name="routing">The routes.</param>
    /// <returns>The flow.</returns>
    /// <exception cref="Me3Exception">The routing is invalid.</exception>
    public static Flow<SourceRecord, DecodedEvent, NotUsed> Decode(RoutingSettings routing)
    {
        var decoder = new EventDecoder(LakeLayout.For(routing));
        return Flow.Create<SourceRecord>().Select(decoder.Decode).Named("decodeEvents");
    }

    /// <summary>
    /// The whole ingestion graph between a source and a committer: decodes each block's JSON, routes every record to
    /// a table, buffers one micro-batch per table and lands each batch as Snappy Parquet under
    /// <c>{lake}/{table}/dt=YYYY-MM-DD/</c>, exactly once (see docs/exactly-once.md). Blocks are decoded on the
    /// thread pool (in order) and Parquet is encoded there too, so decoding and encoding use every core.
    /// <para><b>Emits when</b> writes complete: a <see cref="LakeCheckpoint"/> with the landed files and the
    /// offsets now safe to commit.</para>
    /// <para><b>Backpressures when</b> the buffered bytes reach <see cref="LakeSettings.MaxBufferedBytes"/> or a full
    /// batch waits for its table's previous write.</para>
    /// <para><b>Completes when</b> upstream completes and every batch is landed (the last checkpoint is final).</para>
    /// <para><b>Cancels when</b> downstream cancels; unlanded records are not committed and will be replayed.</para>
    /// <para><b>Fails when</b> the lake cannot be opened or written, or a source is not the one the lake holds under
    /// its name: a file shorter than what the lake holds of its source name, a Kafka partition that ends at or below
    /// an offset the lake holds of it (a <see cref="Me3Exception"/> saying what to do; see docs/exactly-once.md).</para>
    /// </summary>
    /// <param name="settings">The lake settings.</param>
    /// <returns>The flow.</returns>
    /// <exception cref="Me3Exception">The settings are invalid.</exception>
    public static Flow<RecordBlock, LakeCheckpoint, NotUsed> Ingest(LakeSettings settings) =>
        LakeIngest.Flow(settings).Select(checkpoint =>
        {
            Me3Metrics.Landed(checkpoint);
            return checkpoint;
        });

    /// <summary>
    /// Groups single records into blocks for <see cref="Ingest"/>, for sources of your own that emit one record at a
    /// time (the library's sources emit blocks already). Consecutive records with the same committer go together
    /// while downstream is busy, up to <paramref name="maxRecords"/>.
    /// <para><b>Emits when</b> downstream pulls and at least one record is waiting.</para>
    /// <para><b>Backpressures when</b> a block holds <paramref name="maxRecords"/> records and downstream backpressures.</para>
    /// <para><b>Completes when</b> upstream completes and the last block is emitted.</para>
    /// <para><b>Cancels when</b> downstream cancels.</para>
    /// </summary>
    /// <param name="maxRecords">The most records in one block.</param>
    /// <returns>The flow.</returns>
    public static Flow<SourceRecord, RecordBlock, NotUsed> Blocks(int maxRecords = 512)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        return Flow.Create<SourceRecord>()
            .Batch(maxRecords, r => new List<SourceRecord>(4) { r }, (list, r) =>
            {
                list.Add(r);
                return list;
            })
            .SelectMany(SplitByCommitter)
            .Named("recordBlocks");
    }

    private static IEnumerable<RecordBlock> SplitByCommitter(List<SourceRecord> records)
    {
        var start = 0;
        for (var i = 1; i <= records.Count; i++)
        {
            if (i == records.Count || !ReferenceEquals(records[i].Committer, records[start].Committer))
            {
                yield return RecordBlock.Of(records.GetRange(start, i - start));
                start = i;
            }
        }
    }
}
