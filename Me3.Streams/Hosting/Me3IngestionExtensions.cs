using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Streams;
using Akka.Streams.Dsl;
using Me3.Streams.Dsl;
using Me3.Streams.Settings;

namespace Me3.Streams.Hosting;

/// <summary>Akka.Hosting registration of the Kafka → lake ingestion graph.</summary>
public static class Me3IngestionExtensions
{
    /// <summary>
    /// Runs <c>Kafka → decode → route → micro-batch → Parquet → commit</c> when the actor system starts, and drains it
    /// in coordinated shutdown's service-unbind phase (SIGTERM, host stop): stop consuming, land and commit the
    /// in-flight batches, close the consumer, within <see cref="KafkaConsumerSettings.StopTimeout"/>.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="consumer">The Kafka consumer settings.</param>
    /// <param name="lake">The lake settings.</param>
    /// <param name="status">Receives the running state (for readiness and metrics); optional.</param>
    /// <param name="committer">Commit batching; default <see cref="CommitterSettings.Default"/>.</param>
    /// <returns>The builder.</returns>
    public static AkkaConfigurationBuilder WithMe3Ingestion(
        this AkkaConfigurationBuilder builder,
        KafkaConsumerSettings consumer,
        LakeSettings lake,
        Me3IngestionStatus? status = null,
        CommitterSettings? committer = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(lake);
        lake.Validate();
        status ??= new Me3IngestionStatus();
        return builder.AddStartup((system, _) =>
        {
            var (control, committed) = Me3Source.KafkaCommittable(consumer)
                .Via(Me3Flow.Ingest(lake))
                .Select(checkpoint =>
                {
                    status.Record(checkpoint);
                    return checkpoint;
                })
                .ToMaterialized(Me3Sink.CommitToKafka(committer ?? CommitterSettings.Default), Keep.Both)
                .Run(system.Materializer());
            status.Control = control;
            status.Running = true;
            committed.ContinueWith(t =>
            {
                status.Running = false;
                status.Failure = t.Exception?.GetBaseException();
                if (t.IsFaulted)
                {
                    system.Log.Error(status.Failure, "Me3 ingestion stopped on a failure; records not committed will be read again on restart");
                }
            }, TaskScheduler.Default);

            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "me3-ingestion-drain", async () =>
            {
                await control.DrainAndShutdownAsync(committed).ConfigureAwait(false);
                return Done.Instance;
            });
        });
    }
}
