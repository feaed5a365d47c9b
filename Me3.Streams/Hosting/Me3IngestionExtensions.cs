using System.Globalization;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Streams;
using Akka.Streams.Dsl;
using Me3.Streams.Dsl;

namespace Me3.Streams.Hosting;

/// <summary>Akka.Hosting registration of the Kafka → lake ingestion graph.</summary>
public static class Me3IngestionExtensions
{
    /// <summary>
    /// Runs <c>Kafka → decode → route → micro-batch → Parquet → commit</c> when the actor system starts, and stops it
    /// in coordinated shutdown's service-unbind phase (SIGTERM, host stop): optionally catch up with the topic
    /// (<see cref="Me3IngestionSettings.CatchUpBeforeStop"/>), then stop consuming, land and commit the in-flight
    /// batches and close the consumer, all within the consumer's <see cref="Settings.KafkaConsumerSettings.StopTimeout"/>.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="settings">What to run.</param>
    /// <param name="status">Receives the running state (for readiness and metrics); optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="Me3Exception">The lake settings are invalid.</exception>
    public static AkkaConfigurationBuilder WithMe3Ingestion(
        this AkkaConfigurationBuilder builder,
        Me3IngestionSettings settings,
        Me3IngestionStatus? status = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Lake.Validate();
        status ??= new Me3IngestionStatus();
        var stopTimeout = settings.Consumer.StopTimeout;

        // The phase's default (5 s) would abandon the drain half way; give it the whole stop timeout.
        var phaseSeconds = Math.Ceiling((stopTimeout + TimeSpan.FromSeconds(5)).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        builder.AddHocon($"akka.coordinated-shutdown.phases.service-unbind.timeout = {phaseSeconds}s", HoconAddMode.Prepend);
        return builder.AddStartup((system, _) =>
        {
            var (control, committed) = Me3Source.KafkaCommittable(settings.Consumer)
                .Via(Me3Flow.Ingest(settings.Lake))
                .Select(checkpoint =>
                {
                    status.Record(checkpoint);
                    return checkpoint;
                })
                .ToMaterialized(Me3Sink.CommitToKafka(settings.Committer), Keep.Both)
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
                using var deadline = new CancellationTokenSource(stopTimeout);
                if (settings.CatchUpBeforeStop && !committed.IsCompleted)
                {
                    try
                    {
                        await control.CatchUpAsync(deadline.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        system.Log.Warning("Me3 ingestion did not read to the end of its topics within {0}; what it did not land is read again on the next start", stopTimeout);
                    }
                    catch (Me3Exception e)
                    {
                        system.Log.Warning(e, "Me3 ingestion could not catch up before stopping");
                    }
                }

                await control.DrainAndShutdownAsync(committed, deadline.Token).ConfigureAwait(false);
                return Done.Instance;
            });
        });
    }
}
