using Me3.Streams.Kafka;
using Me3.Streams.Lake;

namespace Me3.Streams.Dsl;

/// <summary>
/// A running Kafka → lake graph (the materialized value of <see cref="Me3Graph.KafkaToLake"/>): its consumer's
/// control, its progress, and its outcome.
/// </summary>
public sealed class KafkaIngestion
{
    private readonly IngestProgress _progress;

    internal KafkaIngestion(IKafkaControl control, IngestProgress progress, Task committed)
    {
        Control = control;
        _progress = progress;
        Completion = CompleteAsync(committed, progress);
    }

    /// <summary>The consumer's control (assignment, catch-up, stop, shutdown).</summary>
    public IKafkaControl Control { get; }

    /// <summary>
    /// Completes when the graph has finished and every landed position is committed, with what it landed; fails with
    /// the graph's failure (a <see cref="Me3Exception"/> for the library's own: fencing, a lake write, the broker).
    /// </summary>
    public Task<IngestSummary> Completion { get; }

    /// <summary>Rows landed so far.</summary>
    public long RowsLanded => _progress.RowsLanded;

    /// <summary>Files landed so far.</summary>
    public long FilesLanded => _progress.FilesLanded;

    /// <summary>
    /// The graceful stop, bounded by <see cref="Settings.KafkaConsumerSettings.StopTimeout"/>: see
    /// <see cref="IKafkaControl.DrainAndShutdownAsync"/>.
    /// </summary>
    /// <param name="cancellationToken">Ends the waiting early.</param>
    /// <returns>A task that completes when the consumer is closed or the time is up; it does not fail.</returns>
    public Task DrainAndShutdownAsync(CancellationToken cancellationToken = default) =>
        Control.DrainAndShutdownAsync(Completion, cancellationToken);

    private static async Task<IngestSummary> CompleteAsync(Task committed, IngestProgress progress)
    {
        await committed.ConfigureAwait(false);
        return await progress.Completion.ConfigureAwait(false);
    }
}
