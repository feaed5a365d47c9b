using System.Diagnostics;
using Me3.Streams.Events;
using Me3.Streams.Routing;
using Me3.Streams.Settings;

namespace Me3.Streams.Lake;

/// <summary>One table batch on its way to the lake, with each partition's first offset in it.</summary>
internal sealed class LakeWrite(int table, TableBatch batch, Dictionary<PartitionState, long> firstOffsets)
{
    public int Table { get; } = table;

    public TableBatch Batch { get; } = batch;

    public Dictionary<PartitionState, long> FirstOffsets { get; } = firstOffsets;

    public int Attempt { get; set; }

    /// <summary>Asked right before the batch becomes visible (on the write's thread): whether this process still owns
    /// every partition of the batch that can move to another consumer.</summary>
    public Func<bool> StillOwned()
    {
        var owners = FirstOffsets.Keys
            .Where(p => p.Committer is IPartitionOwnership)
            .Select(p => (Ownership: (IPartitionOwnership)p.Committer!, p.Source, p.Partition))
            .ToArray();
        return () => owners.All(o => o.Ownership.Owns(o.Source, o.Partition));
    }
}

/// <summary>
/// The lake writer's batches and writes: one filling batch per table, at most one write per table (so a table's
/// files land in offset order and its watermark never passes a record that is not durable), at most
/// <see cref="LakeSettings.MaxConcurrentWrites"/> writes in all, the memory bound, and failed writes waiting to be
/// retried with backoff. Owned by the writer stage's logic; not thread-safe.
/// </summary>
internal sealed class WriteScheduler
{
    private readonly LakeSettings _settings;
    private readonly LakeLayout _layout;
    private readonly TableBatch?[] _batches;
    private readonly LakeWrite?[] _writing;
    private readonly Queue<LakeWrite> _retries = new();
    private readonly long _maxBatchAgeTicks;
    private int _inFlight;

    public WriteScheduler(LakeSettings settings, LakeLayout layout)
    {
        _settings = settings;
        _layout = layout;
        _batches = new TableBatch?[layout.Tables.Count];
        _writing = new LakeWrite?[layout.Tables.Count];
        _maxBatchAgeTicks = (long)(settings.MaxBatchInterval.TotalSeconds * Stopwatch.Frequency);
    }

    public IReadOnlyList<LakeWrite?> Writing => _writing;

    public int Tables => _batches.Length;

    /// <summary>Event JSON bytes held, buffered and being written.</summary>
    public long BufferedBytes { get; private set; }

    public bool OverMemoryBound => BufferedBytes >= _settings.MaxBufferedBytes;

    /// <summary>True when nothing is buffered, being written or waiting for a retry.</summary>
    public bool Idle => _inFlight == 0 && _retries.Count == 0 && _batches.All(b => b is null or { Count: 0 });

    /// <summary>True when a full batch waits for its table's previous write: take no more input until it can go.</summary>
    public bool AnyFullBatchWaiting => _batches.Any(b => b is not null && IsFull(b));

    public TableBatch BatchFor(int table) =>
        _batches[table] ??= new TableBatch(_layout.Tables[table], _layout.ColumnFields[table], Stopwatch.GetTimestamp());

    public void Buffered(long bytes) => BufferedBytes += bytes;

    public bool IsFull(TableBatch b) => b.Count >= _settings.MaxBatchRecords || b.Bytes >= _settings.MaxBatchBytes;

    public bool HasRows(int table) => _batches[table] is { Count: > 0 };

    public bool IsFullOrOld(int table, long now) =>
        _batches[table] is { Count: > 0 } b && (IsFull(b) || now - b.StartedAt >= _maxBatchAgeTicks);

    /// <summary>Takes table <paramref name="table"/>'s batch for writing, when it has rows and may start now.</summary>
    public LakeWrite? TryStart(int table, PartitionBook book)
    {
        if (_batches[table] is not { Count: > 0 } batch || _writing[table] is not null || _inFlight >= _settings.MaxConcurrentWrites)
        {
            return null;
        }

        _batches[table] = null;
        var write = new LakeWrite(table, batch, book.TakeFirstBuffered(table));
        _writing[table] = write;
        _inFlight++;
        return write;
    }

    /// <summary>The table whose unwritten batch is largest, to write early when memory is short; -1 if none can go.</summary>
    public int LargestWaiting()
    {
        var largest = -1;
        for (var t = 0; t < _batches.Length; t++)
        {
            if (_batches[t] is { Count: > 0 } b && _writing[t] is null && (largest < 0 || b.Bytes > _batches[largest]!.Bytes))
            {
                largest = t;
            }
        }

        return largest;
    }

    public void Landed(LakeWrite write)
    {
        _inFlight--;
        _writing[write.Table] = null;
        BufferedBytes -= write.Batch.Bytes;
        write.Batch.Dispose();
    }

    /// <summary>Queues a failed write to be tried again; the table stays busy, so its later batches wait for it.</summary>
    /// <returns>How long to wait before retrying: 100 ms doubling to 30 s.</returns>
    public TimeSpan Failed(LakeWrite write)
    {
        _inFlight--;
        write.Attempt++;
        _retries.Enqueue(write);
        return Backoff.Exponential(write.Attempt, baseMs: 100, maxMs: 30_000);
    }

    public IEnumerable<LakeWrite> TakeRetries()
    {
        while (_retries.TryDequeue(out var write))
        {
            _inFlight++;
            yield return write;
        }
    }

    /// <summary>Whether any record of the partition is buffered or being written.</summary>
    public bool InFlight(PartitionState p) =>
        p.FirstBuffered.Any(f => f >= 0) || _writing.Any(w => w is not null && w.FirstOffsets.ContainsKey(p));
}
