using Me3.Streams.Events;

namespace Me3.Streams.Lake;

/// <summary>What a scan of the lake for one source found: per table, per partition, the highest landed offset; for a
/// file whose source the lake holds, also the file's record count.</summary>
internal sealed record WatermarkScan(string Source, int Generation, IReadOnlyDictionary<string, Dictionary<int, long>>? Watermarks, Exception? Error, long? FileRecords = null);

/// <summary>
/// The lake writer's recovery I/O, run on the thread pool so that the stream's thread never blocks on the file
/// system: opening the lake (finishing interrupted multi-file writes) and reading a source's watermarks from the
/// landed files' names. Results come back through the stage's async callbacks.
/// </summary>
internal static class LakeScans
{
    public static void Open(string lake, bool fsync, Action<Exception?> opened) => _ = Task.Run(() =>
    {
        try
        {
            Directory.CreateDirectory(lake);
            LakeRecovery.RollForward(lake, fsync);
            opened(null);
        }
        catch (Exception e)
        {
            opened(e);
        }
    });

    /// <summary>Scans for <paramref name="source"/>'s watermarks and removes its leftover temporary files: all of a
    /// single reader's (a file), only those of partitions a consumer-group member owns now (their previous owner is
    /// gone or fenced). For a file whose source the lake holds already, counts the file's records too, so that a
    /// different, shorter file of the same name is told before any of its lines lands.</summary>
    public static void Watermarks(string lake, IReadOnlyList<string> tables, string source, IPartitionOwnership? ownership, FileExtent? file, int generation, Action<WatermarkScan> scanned)
    {
        Func<int, bool> removeTempsOf = ownership is null ? _ => true : partition => ownership.Owns(source, partition);
        _ = Task.Run(() =>
        {
            try
            {
                var watermarks = LakeRecovery.LoadWatermarks(lake, tables, source, removeTempsOf);
                var records = file is not null && watermarks.Values.Any(marks => marks.ContainsKey(FileExtent.Partition)) ? file.CountRecords() : null;
                scanned(new WatermarkScan(source, generation, watermarks, null, records));
            }
            catch (Exception e)
            {
                scanned(new WatermarkScan(source, generation, null, e));
            }
        });
    }
}
