namespace Me3.Streams.Kafka;

/// <summary>Controls a running Kafka source: the source's materialized value.</summary>
public interface IKafkaControl
{
    /// <summary>Completes when the consumer is closed (after a shutdown or a failure).</summary>
    Task Stopped { get; }

    /// <summary>Completes when the consumer first joined its group (its first assignment, possibly empty): it reached
    /// the cluster. Fails if the consumer closed before that.</summary>
    Task Joined { get; }

    /// <summary>The last trouble the Kafka client reported (an unreachable broker, say), if any.</summary>
    string? LastWarning { get; }

    /// <summary>The partitions assigned to the consumer now; empty before it joined its group.</summary>
    IReadOnlyCollection<Confluent.Kafka.TopicPartition> Assignment { get; }

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
    /// Completes when the source has read and emitted every record its topics held when this was called, in every
    /// partition of those topics (what the group committed before counts as read). It keeps consuming meanwhile.
    /// Meant for a group with a single member, such as one process on the embedded broker, which owns every partition:
    /// call it before <see cref="DrainAndShutdownAsync"/> so that a stop lands everything that was acknowledged.
    /// </summary>
    /// <param name="cancellationToken">Gives up waiting (the task is cancelled).</param>
    /// <returns>A task that completes when the source has caught up.</returns>
    /// <exception cref="Me3Exception">The consumer is closed, or the partitions' ends cannot be read.</exception>
    Task CatchUpAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The graceful stop: stop emitting, wait until <paramref name="streamCompletion"/> (the stream landed and
    /// committed everything), then close the consumer. The whole stop takes at most
    /// <see cref="Settings.KafkaConsumerSettings.StopTimeout"/> (or until <paramref name="cancellationToken"/> is
    /// cancelled): past it, what is landed stays landed, positions not yet committed are read again and skipped on
    /// the next start, and the task completes while a consumer stuck on an unresponsive broker is left to close in
    /// the background.
    /// </summary>
    /// <param name="streamCompletion">Completes when the rest of the stream has finished.</param>
    /// <param name="cancellationToken">Ends the waiting early.</param>
    /// <returns>A task that completes when the consumer is closed or the time is up; it does not fail.</returns>
    Task DrainAndShutdownAsync(Task streamCompletion, CancellationToken cancellationToken = default);
}
