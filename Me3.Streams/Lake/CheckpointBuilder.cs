using Me3.Streams.Events;

namespace Me3.Streams.Lake;

/// <summary>
/// Gathers what the next <see cref="LakeCheckpoint"/> reports: files landed, positions that became committable and
/// replayed records skipped since the last one. Owned by the writer stage's logic; not thread-safe.
/// </summary>
internal sealed class CheckpointBuilder(IReadOnlyList<string> tables)
{
    private readonly long[] _skipped = new long[tables.Count];
    private readonly List<LandedFile> _files = [];

    /// <summary>The latest committable position per partition; filled by <see cref="PartitionBook.CollectCommittable"/>.</summary>
    public Dictionary<PartitionState, CommittableOffset> Offsets { get; } = [];

    public bool IsEmpty => _files.Count == 0 && Offsets.Count == 0;

    public void Skipped(int table) => _skipped[table]++;

    public void Landed(IEnumerable<LandedFile> files) => _files.AddRange(files);

    /// <summary>The checkpoint of everything gathered; starts gathering anew.</summary>
    public LakeCheckpoint Take(bool final)
    {
        var skipped = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var t = 0; t < _skipped.Length; t++)
        {
            if (_skipped[t] > 0)
            {
                skipped[tables[t]] = _skipped[t];
                _skipped[t] = 0;
            }
        }

        var checkpoint = new LakeCheckpoint([.. _files], [.. Offsets.Values], skipped, final);
        _files.Clear();
        Offsets.Clear();
        return checkpoint;
    }
}
