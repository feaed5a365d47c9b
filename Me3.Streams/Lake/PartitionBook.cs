using Me3.Streams.Events;

namespace Me3.Streams.Lake;

/// <summary>Where a source partition stands: what is landed, buffered, being written, committable.</summary>
internal sealed class PartitionState(string source, int partition, long[] watermarks)
{
    public string Source { get; } = source;

    public int Partition { get; } = partition;

    /// <summary>Per table, the highest offset already in the lake or buffered; replayed records at or below it are skipped.</summary>
    public long[] Watermarks { get; } = watermarks;

    /// <summary>Per table, the first offset in the table's current batch, or -1.</summary>
    public long[] FirstBuffered { get; } = Enumerable.Repeat(-1L, watermarks.Length).ToArray();

    public long LastSeen { get; set; } = -1;

    public long Committed { get; set; } = -1;

    public IOffsetCommitter? Committer { get; set; }
}

/// <summary>
/// The lake writer's partition bookkeeping: each source partition's state, the watermarks read from the lake per
/// source, and which positions are safe to commit. Owned by the writer stage's logic; not thread-safe.
/// </summary>
internal sealed class PartitionBook(IReadOnlyList<string> tables)
{
    private readonly Dictionary<(string, int), PartitionState> _partitions = [];
    private readonly Dictionary<string, IReadOnlyDictionary<string, Dictionary<int, long>>> _loaded = new(StringComparer.Ordinal);

    // Bumped when partitions of a source are assigned: what the lake said before may be stale.
    private readonly Dictionary<string, int> _generation = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stale = new(StringComparer.Ordinal);
    private PartitionState? _last;

    public IEnumerable<PartitionState> States => _partitions.Values;

    /// <summary>Whether the lake must be scanned for <paramref name="source"/>'s watermarks before its next record.</summary>
    public bool NeedsWatermarks(string source) => !_loaded.ContainsKey(source) || _stale.Contains(source);

    /// <summary>A token to hand back to <see cref="Loaded"/>: a scan that started before an assignment is stale.</summary>
    public int Generation(string source) => _generation.GetValueOrDefault(source);

    public void Loaded(string source, int generation, IReadOnlyDictionary<string, Dictionary<int, long>> watermarks)
    {
        _loaded[source] = watermarks;
        if (generation == Generation(source))
        {
            _stale.Remove(source);
        }
    }

    /// <summary>The highest offset of a source partition the lake held when last scanned, in any table; -1 when none.</summary>
    public long LandedUpTo(string source, int partition) =>
        _loaded.TryGetValue(source, out var marks) ? marks.Values.Select(m => m.GetValueOrDefault(partition, -1)).DefaultIfEmpty(-1).Max() : -1;

    public PartitionState StateOf(string source, int partition, long offset)
    {
        if (_last is not null && _last.Partition == partition && ReferenceEquals(_last.Source, source))
        {
            return _last;
        }

        if (!_partitions.TryGetValue((source, partition), out var state))
        {
            var marks = _loaded[source];
            var watermarks = tables.Select(t => marks[t].GetValueOrDefault(partition, -1)).ToArray();

            // Committing the position reading started from would be a no-op: only later positions are reported.
            state = new PartitionState(source, partition, watermarks) { Committed = offset };
            _partitions[(source, partition)] = state;
        }

        return _last = state;
    }

    public PartitionState? Find((string Source, int Partition) key) => _partitions.GetValueOrDefault(key);

    /// <summary>Another process may have landed these partitions since we last had them: forget what we knew and
    /// read their watermarks from the lake again before their first record.</summary>
    public void Assigned(IEnumerable<(string Source, int Partition)> partitions)
    {
        foreach (var key in partitions)
        {
            Forget(key);
            _stale.Add(key.Source);
            _generation[key.Source] = Generation(key.Source) + 1;
        }
    }

    public void Forget((string Source, int Partition) key)
    {
        if (_partitions.Remove(key, out var state) && ReferenceEquals(state, _last))
        {
            _last = null;
        }
    }

    /// <summary>Takes each partition's first buffered offset of table <paramref name="table"/>, as its batch goes to be written.</summary>
    public Dictionary<PartitionState, long> TakeFirstBuffered(int table)
    {
        var first = new Dictionary<PartitionState, long>();
        foreach (var p in _partitions.Values)
        {
            if (p.FirstBuffered[table] >= 0)
            {
                first[p] = p.FirstBuffered[table];
                p.FirstBuffered[table] = -1;
            }
        }

        return first;
    }

    /// <summary>A partition's offset is committable up to its first record that is buffered or being written.</summary>
    public void CollectCommittable(IReadOnlyList<LakeWrite?> writing, Dictionary<PartitionState, CommittableOffset> pending)
    {
        foreach (var p in _partitions.Values)
        {
            var safe = p.LastSeen + 1;
            for (var t = 0; t < p.FirstBuffered.Length; t++)
            {
                if (p.FirstBuffered[t] >= 0)
                {
                    safe = Math.Min(safe, p.FirstBuffered[t]);
                }

                if (writing[t] is { } w && w.FirstOffsets.TryGetValue(p, out var first))
                {
                    safe = Math.Min(safe, first);
                }
            }

            if (safe > p.Committed)
            {
                p.Committed = safe;
                pending[p] = new CommittableOffset(p.Source, p.Partition, safe, p.Committer);
            }
        }
    }
}
