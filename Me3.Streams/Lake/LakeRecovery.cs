namespace Me3.Streams.Lake;

/// <summary>
/// Reads the recovery state from the lake itself, so that any process can resume any partition: finishes
/// interrupted multi-file writes, removes leftover temporary files, and reads from the landed files' names the
/// highest offset of each source partition already in each table (its watermark).
/// </summary>
internal static class LakeRecovery
{
    /// <summary>Completes interrupted multi-file writes (see the write manifest in docs/exactly-once.md).</summary>
    /// <param name="lake">The lake root.</param>
    /// <param name="fsync">Whether to flush renames to disk.</param>
    /// <returns>How many interrupted writes were completed.</returns>
    public static int RollForward(string lake, bool fsync = true) => WriteManifest.RollForward(lake, fsync);

    /// <summary>
    /// The watermarks of <paramref name="source"/> in <paramref name="tables"/>: for each table, for each partition,
    /// the highest offset landed. A record of that partition routed to that table at or below it is already there.
    /// </summary>
    /// <param name="lake">The lake root.</param>
    /// <param name="tables">The tables to scan.</param>
    /// <param name="source">The source name.</param>
    /// <param name="removeTempFiles">Whether to delete this source's leftover temporary files.</param>
    /// <returns>Per table name, per partition, the highest landed offset.</returns>
    public static IReadOnlyDictionary<string, Dictionary<int, long>> LoadWatermarks(
        string lake, IEnumerable<string> tables, string source, bool removeTempFiles) =>
        LoadWatermarks(lake, tables, source, removeTempFiles ? _ => true : null);

    /// <summary>As <see cref="LoadWatermarks(string, IEnumerable{string}, string, bool)"/>, for a writer that takes
    /// over the partitions <paramref name="removeTempsOf"/> accepts (partitions it now owns: their previous owner is
    /// gone or fenced). What that owner left unfinished is settled first: its interrupted multi-file writes are
    /// completed (else their renamed files would count in the watermarks and the records of the others would be
    /// skipped), then its temporary files that hold any of those partitions are deleted.</summary>
    /// <param name="lake">The lake root.</param>
    /// <param name="tables">The tables to scan.</param>
    /// <param name="source">The source name.</param>
    /// <param name="removeTempsOf">Which partitions' temporary files to delete; null keeps them all.</param>
    /// <returns>Per table name, per partition, the highest landed offset.</returns>
    public static IReadOnlyDictionary<string, Dictionary<int, long>> LoadWatermarks(
        string lake, IEnumerable<string> tables, string source, Func<int, bool>? removeTempsOf)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (removeTempsOf is not null)
        {
            WriteManifest.RollForward(lake, fsync: true, final => LakeFileName.TryParse(final, source, out var finalRanges) && finalRanges.Any(r => removeTempsOf(r.Partition)));
        }

        var result = new Dictionary<string, Dictionary<int, long>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var marks = new Dictionary<int, long>();
            result[table] = marks;
            var dir = Path.Combine(lake, table);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var path in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                var name = Path.GetFileName(path);
                if (LakeFileName.TryParse(name, source, out var ranges))
                {
                    foreach (var r in ranges)
                    {
                        marks[r.Partition] = Math.Max(r.Last, marks.GetValueOrDefault(r.Partition, -1));
                    }
                }
                else if (removeTempsOf is not null && LakeFileName.IsTempOf(name, source) &&
                         (!LakeFileName.TryParseTemp(name, source, out var tempRanges) || tempRanges.Any(r => removeTempsOf(r.Partition))))
                {
                    File.Delete(path);
                }
            }
        }

        return result;
    }
}
