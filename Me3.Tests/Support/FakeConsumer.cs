using System.Collections.Concurrent;
using Me3.Streams.Events;

namespace Me3.Tests.Support;

/// <summary>A fake at the Kafka boundary: a consumer-group member whose partitions the test assigns, as librdkafka's
/// rebalance callbacks would, and whose commits are recorded.</summary>
internal sealed class FakeConsumer : IOffsetCommitter, IPartitionOwnership
{
    private readonly ConcurrentDictionary<(string, int), bool> _owned = new();
    private readonly List<IPartitionListener> _listeners = [];

    public FakeConsumer(params (string Source, int Partition)[] owned)
    {
        foreach (var p in owned)
        {
            _owned[p] = true;
        }
    }

    public ConcurrentQueue<CommittableOffset> Commits { get; } = new();

    public bool Owns(string source, int partition) => _owned.ContainsKey((source, partition));

    /// <summary>Partition ends the test sets; none by default.</summary>
    public ConcurrentDictionary<(string, int), long> Ends { get; } = new();

    public long? EndOffset(string source, int partition) => Ends.TryGetValue((source, partition), out var end) ? end : null;

    public void Subscribe(IPartitionListener listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
        }
    }

    public void Unsubscribe(IPartitionListener listener)
    {
        lock (_listeners)
        {
            _listeners.Remove(listener);
        }
    }

    /// <summary>The group gives this member more partitions.</summary>
    public void Assign(params (string Source, int Partition)[] partitions)
    {
        foreach (var p in partitions)
        {
            _owned[p] = true;
        }

        IPartitionListener[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener.OnAssigned(partitions);
        }
    }

    public Task CommitAsync(IReadOnlyList<CommittableOffset> offsets, CancellationToken cancellationToken)
    {
        foreach (var offset in offsets)
        {
            Commits.Enqueue(offset);
        }

        return Task.CompletedTask;
    }
}
