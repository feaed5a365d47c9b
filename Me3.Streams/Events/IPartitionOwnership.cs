namespace Me3.Streams.Events;

/// <summary>
/// Implemented by committers whose partitions can move to another process (Kafka consumer groups). The lake writer
/// subscribes to land or drop a partition's in-flight records before it moves, and asks before publishing a file
/// whether its partitions are still owned, so an ex-owner never lands what the new owner will land too.
/// </summary>
internal interface IPartitionOwnership
{
    bool Owns(string source, int partition);

    /// <summary>The partition's end offset (high watermark) as of the consumer's latest fetch of it, if known: the
    /// lake writer checks that the lake holds no offset at or beyond it.</summary>
    long? EndOffset(string source, int partition);

    void Subscribe(IPartitionListener listener);

    void Unsubscribe(IPartitionListener listener);
}

/// <summary>Told about partitions that arrive or leave; called on the consumer's thread.</summary>
internal interface IPartitionListener
{
    void OnAssigned(IReadOnlyList<(string Source, int Partition)> partitions);

    /// <summary>Lands every in-flight record of the partitions and returns their committable positions.</summary>
    Task<IReadOnlyList<CommittableOffset>> OnRevokedAsync(IReadOnlyList<(string Source, int Partition)> partitions);

    /// <summary>The partitions are gone without a revocation: drop their in-flight records.</summary>
    void OnLost(IReadOnlyList<(string Source, int Partition)> partitions);
}
