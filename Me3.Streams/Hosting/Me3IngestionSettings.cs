using Akka.Streams;
using Me3.Streams.Settings;

namespace Me3.Streams.Hosting;

/// <summary>
/// What the hosted Kafka → lake ingestion runs and how it stops. Immutable; change it with the <c>With*</c> methods.
/// </summary>
public sealed record Me3IngestionSettings
{
    /// <summary>Creates settings with the default committer and stop behaviour.</summary>
    /// <param name="consumer">The Kafka consumer settings; their <see cref="KafkaConsumerSettings.StopTimeout"/> bounds the stop.</param>
    /// <param name="lake">The lake settings.</param>
    public Me3IngestionSettings(KafkaConsumerSettings consumer, LakeSettings lake)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(lake);
        Consumer = consumer;
        Lake = lake;
    }

    /// <summary>The Kafka consumer settings.</summary>
    public KafkaConsumerSettings Consumer { get; init; }

    /// <summary>The lake settings.</summary>
    public LakeSettings Lake { get; init; }

    /// <summary>Commit batching.</summary>
    public CommitterSettings Committer { get; init; } = CommitterSettings.Default;

    /// <summary>
    /// Whether a stop first reads every record the topic holds (all partitions) before it drains, within the stop
    /// timeout. For a broker whose data dies with the process (the embedded one), so that every event it acknowledged
    /// is landed; leave it off with a real cluster, where the next owner reads what is left.
    /// </summary>
    public bool CatchUpBeforeStop { get; init; }

    /// <summary>
    /// How a failed ingestion (fencing, a lake write error, broker trouble beyond its retries) is restarted: with
    /// backoff between <see cref="RestartSettings.MinBackoff"/> and <see cref="RestartSettings.MaxBackoff"/>, at most
    /// <see cref="RestartSettings.MaxRestarts"/> times within <see cref="RestartSettings.MaxRestartsWithin"/>; past
    /// that it stays down and <see cref="Me3IngestionStatus.State"/> is <see cref="Me3IngestionState.Failed"/>.
    /// Default: 1 s to 30 s, ±20 %, 10 restarts within 10 minutes.
    /// </summary>
    public RestartSettings Restart { get; init; } =
        RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2).WithMaxRestarts(10, TimeSpan.FromMinutes(10));

    /// <summary>Returns a copy with other restart settings.</summary>
    /// <param name="restart">The restart settings.</param>
    /// <returns>The new settings.</returns>
    public Me3IngestionSettings WithRestart(RestartSettings restart)
    {
        ArgumentNullException.ThrowIfNull(restart);
        return this with { Restart = restart };
    }

    /// <summary>Returns a copy with other commit batching.</summary>
    /// <param name="committer">The committer settings.</param>
    /// <returns>The new settings.</returns>
    public Me3IngestionSettings WithCommitter(CommitterSettings committer)
    {
        ArgumentNullException.ThrowIfNull(committer);
        return this with { Committer = committer };
    }

    /// <summary>Returns a copy that does or does not catch up before a stop.</summary>
    /// <param name="catchUp">Whether to catch up.</param>
    /// <returns>The new settings.</returns>
    public Me3IngestionSettings WithCatchUpBeforeStop(bool catchUp) => this with { CatchUpBeforeStop = catchUp };
}
