namespace Me3.Streams.Kafka;

/// <summary>Controls a running Kafka source: the source's materialized value.</summary>
public interface IKafkaControl
{
    /// <summary>Completes when the consumer is closed (after a shutdown or a failure).</summary>
    Task Stopped { get; }

    /// <summary>
    /// Stops emitting records and completes the source; the consumer stays open so that in-flight records can still
    /// be landed and committed. Follow with <see cref="ShutdownAsync"/>.
    /// </summary>
    /// <returns>A task that completes when the source has stopped emitting.</returns>
    Task StopAsync();

    /// <summary>Closes the consumer (leaving the group). Commits that have not reached it are lost, not the records:
    /// they will be read again.</summary>
    /// <returns>A task that completes when the consumer is closed.</returns>
    Task ShutdownAsync();

    /// <summary>
    /// The graceful stop: stop emitting, wait until <paramref name="streamCompletion"/> (the stream landed and
    /// committed everything) or the stop timeout, then close the consumer.
    /// </summary>
    /// <param name="streamCompletion">Completes when the rest of the stream has finished.</param>
    /// <returns>A task that completes when the consumer is closed.</returns>
    Task DrainAndShutdownAsync(Task streamCompletion);
}
