using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Streams.Routing;
using Me3.Streams.Settings;

namespace Me3.Streams.Dsl;

/// <summary>The ingestion graph's flows: decode, land, and both together.</summary>
public static class Me3Flow
{
    /// <summary>
    /// Decodes each record's JSON and routes it to a table. Never fails on bad input: records that are not JSON
    /// objects come out as dead letters.
    /// <para><b>Emits when</b> a record arrives (one event per record, in order).</para>
    /// <para><b>Backpressures when</b> downstream backpressures.</para>
    /// <para><b>Completes when</b> upstream completes.</para>
    /// <para><b>Cancels when</b> downstream cancels.</para>
    /// </summary>
    /// <param name="routing">The routes; pass the same instance to <see cref="LandInLake"/>.</param>
    /// <returns>The flow.</returns>
    /// <exception cref="Me3Exception">The routing is invalid.</exception>
    public static Flow<SourceRecord, DecodedEvent, NotUsed> Decode(RoutingSettings routing)
    {
        var decoder = new EventDecoder(LakeLayout.For(routing));
        return Flow.Create<SourceRecord>().Select(decoder.Decode).Named("decodeEvents");
    }

    /// <summary>
    /// Buffers events in one micro-batch per table and lands each batch as Snappy Parquet under
    /// <c>{lake}/{table}/dt=YYYY-MM-DD/</c>, exactly once (see docs/exactly-once.md).
    /// <para><b>Emits when</b> writes complete: a <see cref="LakeCheckpoint"/> with the landed files and the
    /// offsets now safe to commit.</para>
    /// <para><b>Backpressures when</b> the buffered bytes reach <see cref="LakeSettings.MaxBufferedBytes"/> or a full
    /// batch waits for its table's previous write.</para>
    /// <para><b>Completes when</b> upstream completes and every batch is landed (the last checkpoint is final).</para>
    /// <para><b>Cancels when</b> downstream cancels; unlanded records are not committed and will be replayed.</para>
    /// </summary>
    /// <param name="settings">The lake settings; their routing must be the instance the events were decoded with.</param>
    /// <returns>The flow.</returns>
    /// <exception cref="Me3Exception">The settings are invalid.</exception>
    public static Flow<DecodedEvent, LakeCheckpoint, NotUsed> LandInLake(LakeSettings settings) =>
        Flow.FromGraph(new LakeWriterStage(settings));

    /// <summary>
    /// Decode, then land: the whole ingestion graph between a source and a committer. Decoding and batching are
    /// fused with the source (no per-element actor message, which measured costlier than the decoding itself);
    /// Parquet encoding runs on the thread pool, so encoding and decoding use separate cores.
    /// <para><b>Emits when</b>, <b>backpressures when</b>, <b>completes when</b>, <b>cancels when</b>: as
    /// <see cref="LandInLake"/>.</para>
    /// </summary>
    /// <param name="settings">The lake settings.</param>
    /// <returns>The flow.</returns>
    /// <exception cref="Me3Exception">The settings are invalid.</exception>
    public static Flow<SourceRecord, LakeCheckpoint, NotUsed> Ingest(LakeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Decode(settings.Routing).Via(LandInLake(settings));
    }
}
