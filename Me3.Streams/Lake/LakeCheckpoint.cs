using Me3.Streams.Events;

namespace Me3.Streams.Lake;

/// <summary>
/// What the lake writer reports after writes complete: the files that became visible, the source positions that
/// are now safe to commit, and how many replayed records were skipped because the lake already had them.
/// </summary>
/// <param name="Files">Files landed since the previous checkpoint.</param>
/// <param name="Offsets">
/// Positions that became committable since the previous checkpoint: every record before them is durable in the
/// lake (or was already there). At most one per source partition, the latest.
/// </param>
/// <param name="AlreadyInLake">Per table, replayed records skipped since the previous checkpoint.</param>
/// <param name="IsFinal">True for the last checkpoint, emitted when the input completed and everything is landed.</param>
public sealed record LakeCheckpoint(
    IReadOnlyList<LandedFile> Files,
    IReadOnlyList<CommittableOffset> Offsets,
    IReadOnlyDictionary<string, long> AlreadyInLake,
    bool IsFinal);
