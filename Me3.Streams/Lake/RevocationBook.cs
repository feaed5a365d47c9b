using Me3.Streams.Events;

namespace Me3.Streams.Lake;

/// <summary>
/// The lake writer's rebalance bookkeeping: partitions taken away (whose records are dropped, their new owner reads
/// them) and revocations waiting until their partitions have nothing buffered or being written. Owned by the writer
/// stage's logic; not thread-safe.
/// </summary>
internal sealed class RevocationBook
{
    private readonly HashSet<(string, int)> _revoked = [];
    private readonly List<(HashSet<(string, int)> Partitions, TaskCompletionSource<IReadOnlyList<CommittableOffset>> Done)> _pending = [];

    public bool HasPending => _pending.Count > 0;

    public bool IsRevoked(string source, int partition) => _revoked.Count > 0 && _revoked.Contains((source, partition));

    public void Assigned(IEnumerable<(string Source, int Partition)> partitions)
    {
        foreach (var key in partitions)
        {
            _revoked.Remove(key);
        }
    }

    public void Revoke(IReadOnlyList<(string Source, int Partition)> partitions, TaskCompletionSource<IReadOnlyList<CommittableOffset>> done)
    {
        var keys = partitions.ToHashSet();
        _revoked.UnionWith(keys);
        _pending.Add((keys, done));
    }

    /// <summary>No chance to land: records of these partitions still buffered will be fenced at publish time.</summary>
    public void Lost(IEnumerable<(string Source, int Partition)> partitions) => _revoked.UnionWith(partitions);

    /// <summary>Answers revocations whose partitions have nothing in flight any more with their committable
    /// positions, and forgets those partitions.</summary>
    public void AnswerSettled(PartitionBook book, Func<PartitionState, bool> inFlight)
    {
        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var (keys, done) = _pending[i];
            var states = keys.Select(book.Find).OfType<PartitionState>().ToArray();
            if (states.Any(inFlight))
            {
                continue;
            }

            _pending.RemoveAt(i);
            var offsets = states
                .Where(p => p.LastSeen >= 0)
                .Select(p => new CommittableOffset(p.Source, p.Partition, p.LastSeen + 1, p.Committer))
                .ToArray();
            foreach (var p in states)
            {
                book.Forget((p.Source, p.Partition));
            }

            done.TrySetResult(offsets);
        }
    }

    /// <summary>The stage stopped: it lands nothing more, so nobody needs to wait.</summary>
    public void StopAll()
    {
        foreach (var (_, done) in _pending)
        {
            done.TrySetResult([]);
        }

        _pending.Clear();
    }
}
