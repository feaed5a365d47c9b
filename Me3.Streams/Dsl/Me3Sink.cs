using Akka.Streams.Dsl;
using Me3.Streams.Lake;

namespace Me3.Streams.Dsl;

/// <summary>Sinks for the ingestion graph's checkpoints.</summary>
public static class Me3Sink
{
    /// <summary>
    /// Sums checkpoints into an <see cref="IngestSummary"/>; for sources without commits (files).
    /// <para><b>Backpressures when</b> never.</para>
    /// <para><b>Completes when</b> upstream completes; the task then holds the summary, or the failure.</para>
    /// </summary>
    /// <returns>The sink.</returns>
    public static Sink<LakeCheckpoint, Task<IngestSummary>> Summary() =>
        Sink.Aggregate<LakeCheckpoint, IngestSummary?>(null, (summary, checkpoint) => (summary ?? new IngestSummary()).Add(checkpoint))
            .MapMaterializedValue(async task => await task.ConfigureAwait(false) ?? new IngestSummary())
            .Named("ingestSummary");
}
