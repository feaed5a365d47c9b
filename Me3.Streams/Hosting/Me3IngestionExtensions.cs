using System.Globalization;
using Akka;
using Akka.Actor;
using Akka.Hosting;

namespace Me3.Streams.Hosting;

/// <summary>Akka.Hosting registration of the Kafka → lake ingestion graph.</summary>
public static class Me3IngestionExtensions
{
    /// <summary>
    /// Runs <see cref="Dsl.Me3Graph.KafkaToLake"/> when the actor system starts, restarts it with backoff when it
    /// fails (<see cref="Me3IngestionSettings.Restart"/>), and stops it in coordinated shutdown's service-unbind phase
    /// (SIGTERM, host stop): optionally catch up with the topic (<see cref="Me3IngestionSettings.CatchUpBeforeStop"/>),
    /// then stop consuming, land and commit the in-flight batches and close the consumer, all within the consumer's
    /// <see cref="Settings.KafkaConsumerSettings.StopTimeout"/>.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="settings">What to run.</param>
    /// <param name="status">Receives the state (for health checks); optional.</param>
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

        // The phase's default (5 s) would abandon the drain half way; give it the whole stop timeout.
        var phaseSeconds = Math.Ceiling((settings.Consumer.StopTimeout + TimeSpan.FromSeconds(5)).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        builder.AddHocon($"akka.coordinated-shutdown.phases.service-unbind.timeout = {phaseSeconds}s", HoconAddMode.Prepend);
        return builder.AddStartup((system, _) =>
        {
            var supervisor = new IngestionSupervisor(settings, status, system);
            supervisor.Start();
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "me3-ingestion-drain", async () =>
            {
                await supervisor.StopAsync().ConfigureAwait(false);
                return Done.Instance;
            });
        });
    }
}
