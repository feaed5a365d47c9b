using Akka.Streams.Dsl;
using Me3.Streams.Settings;

namespace Me3.Streams.Dsl;

/// <summary>The ingestion graphs, ready to run: one factory per graph.</summary>
public static class Me3Graph
{
    /// <summary>
    /// Kafka → decode → route → micro-batch → Snappy Parquet → commit, exactly once (see docs/exactly-once.md): the
    /// graph every Kafka ingestion runs. Offsets are committed only after the lake holds their records. Run it and
    /// keep the <see cref="KafkaIngestion"/>; stop it with <see cref="KafkaIngestion.DrainAndShutdownAsync"/>.
    /// What a consume error does is <see cref="KafkaConsumerSettings.Decider"/>'s choice
    /// (<see cref="Kafka.KafkaSupervision.DefaultDecider"/> when none is given); a supervision strategy in the graph's
    /// attributes decides for its other stages (a failed lake write is retried unless it says Stop).
    /// </summary>
    /// <param name="consumer">The consumer settings.</param>
    /// <param name="lake">The lake settings: decoding and landing both route with them.</param>
    /// <param name="committer">Commit batching; default <see cref="CommitterSettings.Default"/>.</param>
    /// <returns>The graph; each run consumes with its own consumer.</returns>
    /// <exception cref="Me3Exception">A setting is invalid (a topic that cannot name a lake source, bad bounds).</exception>
    public static IRunnableGraph<KafkaIngestion> KafkaToLake(KafkaConsumerSettings consumer, LakeSettings lake, CommitterSettings? committer = null)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(lake);
        lake.Validate();
        return Me3Source.KafkaCommittable(consumer)
            .Via(Me3Flow.Ingest(lake))
            .AlsoToMaterialized(Sink.FromGraph(new SummarySink()), Keep.Both)
            .ToMaterialized(Me3Sink.CommitToKafka(committer ?? CommitterSettings.Default), Keep.Both)
            .MapMaterializedValue(m => new KafkaIngestion(m.Item1.Item1, m.Item1.Item2, m.Item2))
            .Named("kafkaToLake");
    }
}
