using Akka.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Streams.Settings;

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
        Sink.FromGraph(new SummarySink()).MapMaterializedValue(progress => progress.Completion);

    /// <summary>
    /// Commits the positions the lake writer reports, batched by count and interval, to the committer each position
    /// belongs to (only partitions it still owns); positions without a committer (files) are skipped.
    /// <para><b>Backpressures when</b> a commit is in progress.</para>
    /// <para><b>Completes when</b> upstream completes and the last batch is committed; the task then completes.</para>
    /// <para><b>Fails when</b> a commit fails (the task fails with a <see cref="Me3Exception"/>).</para>
    /// </summary>
    /// <param name="settings">Batching settings.</param>
    /// <returns>The sink.</returns>
    /// <exception cref="Me3Exception">A setting is out of range.</exception>
    public static Sink<LakeCheckpoint, Task> CommitToKafka(CommitterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return Flow.Create<LakeCheckpoint>()
            .SelectMany(c => c.Offsets.Where(o => o.Committer is not null))
            .GroupedWithin(settings.MaxBatch, settings.MaxInterval)
            .SelectAsync(1, CommitAsync)
            .ToMaterialized(Sink.Ignore<int>(), Keep.Right)
            .MapMaterializedValue(Task (done) => Unwrapped(done))
            .Named("commitToKafka");
    }

    private static async Task Unwrapped(Task done)
    {
        try
        {
            await done.ConfigureAwait(false);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            // Akka's async stages wrap a failed task's exception; the caller gets the failure itself.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    private static async Task<int> CommitAsync(IEnumerable<CommittableOffset> offsets)
    {
        // The latest position per partition wins; each committer commits its own.
        var latest = offsets
            .GroupBy(o => (o.Committer, o.Source, o.Partition))
            .Select(g => g.MaxBy(o => o.NextOffset)!)
            .GroupBy(o => o.Committer!);
        var count = 0;
        foreach (var group in latest)
        {
            var list = group.ToArray();
            await group.Key.CommitAsync(list, CancellationToken.None).ConfigureAwait(false);
            foreach (var offset in list)
            {
                Me3Metrics.Committed(offset.Source, offset.Partition, offset.NextOffset);
            }

            count += list.Length;
        }

        return count;
    }
}
