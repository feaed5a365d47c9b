namespace Me3.Streams.Events;

/// <summary>
/// Records handed over together, in source order: the unit the ingestion graph moves. A JSON-lines block is one read
/// of the file with its lines as slices; a Kafka block is one poll's messages. Moving blocks instead of single
/// records keeps the per-record cost to decoding and one copy into the lake batch: no object or stream element per
/// record.
/// </summary>
public sealed class RecordBlock
{
    private readonly Entry[] _entries;

    internal RecordBlock(Entry[] entries, int count, IOffsetCommitter? committer, FileExtent? file = null, long? sourceEnd = null)
    {
        _entries = entries;
        Count = count;
        Committer = committer;
        File = file;
        SourceEnd = sourceEnd;
    }

    /// <summary>How many records the block holds.</summary>
    public int Count { get; }

    /// <summary>Commits the block's positions back to its source; null for sources without commits (files).</summary>
    public IOffsetCommitter? Committer { get; }

    /// <summary>The records' bytes added up.</summary>
    public long Bytes
    {
        get
        {
            long total = 0;
            for (var i = 0; i < Count; i++)
            {
                total += _entries[i].Value.Length;
            }

            return total;
        }
    }

    /// <summary>A block of the given records, which must share one committer (or have none).</summary>
    /// <param name="records">The records, in source order.</param>
    /// <returns>The block.</returns>
    /// <exception cref="ArgumentException">The records have different committers.</exception>
    public static RecordBlock Of(IEnumerable<SourceRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var list = records as IReadOnlyList<SourceRecord> ?? records.ToArray();
        var entries = new Entry[list.Count];
        var committer = list.Count > 0 ? list[0].Committer : null;
        for (var i = 0; i < entries.Length; i++)
        {
            var r = list[i];
            if (!ReferenceEquals(r.Committer, committer))
            {
                throw new ArgumentException("The records of one block must share one committer.", nameof(records));
            }

            entries[i] = new Entry(r.Source, r.Partition, r.Offset, r.Timestamp, r.Value);
        }

        return new RecordBlock(entries, entries.Length, committer);
    }

    /// <summary>The block's records as <see cref="SourceRecord"/> objects (one allocation each: for inspection, not
    /// for the hot path).</summary>
    /// <returns>The records, in order.</returns>
    public IEnumerable<SourceRecord> Records()
    {
        for (var i = 0; i < Count; i++)
        {
            var e = _entries[i];
            yield return new SourceRecord(e.Source, e.Partition, e.Offset, e.Timestamp, e.Value, Committer);
        }
    }

    internal ref readonly Entry this[int index] => ref _entries[index];

    /// <summary>The file the records come from, for a file source.</summary>
    internal FileExtent? File { get; }

    /// <summary>Set on a file source's last block, which holds no records: how many records the source read.</summary>
    internal long? SourceEnd { get; }

    /// <summary>A file source's last block: no records, the count of those it read.</summary>
    internal static RecordBlock EndOf(FileExtent file, long records) => new([], 0, committer: null, file, records);

    /// <summary>The records whose partition <paramref name="keep"/> accepts, as a new block (this one if all are kept).</summary>
    internal RecordBlock Where(Func<string, int, bool> keep)
    {
        var kept = new Entry[Count];
        var n = 0;
        for (var i = 0; i < Count; i++)
        {
            if (keep(_entries[i].Source, _entries[i].Partition))
            {
                kept[n++] = _entries[i];
            }
        }

        return n == Count ? this : new RecordBlock(kept, n, Committer);
    }

    /// <summary>One record: where it is from and its bytes.</summary>
    internal readonly record struct Entry(string Source, int Partition, long Offset, DateTime Timestamp, ReadOnlyMemory<byte> Value);
}
