namespace Me3.Streams.Events;

/// <summary>
/// A position that is safe to commit: every record of <paramref name="Partition"/> before
/// <paramref name="NextOffset"/> is durable in the lake.
/// </summary>
/// <param name="Source">The topic or file name.</param>
/// <param name="Partition">The partition.</param>
/// <param name="NextOffset">The offset of the next record to read, as Kafka commits it.</param>
/// <param name="Committer">Who commits it; null for sources without commits (files).</param>
public sealed record CommittableOffset(string Source, int Partition, long NextOffset, IOffsetCommitter? Committer);

/// <summary>
/// Commits positions back to the source that produced the records (a Kafka consumer group, say).
/// </summary>
public interface IOffsetCommitter
{
    /// <summary>Commits the given positions, which all belong to this committer's source.</summary>
    /// <param name="offsets">The positions to commit; each is the next offset to read.</param>
    /// <param name="cancellationToken">Cancels the commit.</param>
    /// <returns>A task that completes when the commit is acknowledged.</returns>
    Task CommitAsync(IReadOnlyList<CommittableOffset> offsets, CancellationToken cancellationToken);
}
