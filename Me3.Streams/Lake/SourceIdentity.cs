using System.Globalization;
using Me3.Streams.Events;

namespace Me3.Streams.Lake;

/// <summary>
/// The lake knows a source only by its name and the offsets it landed, and skips a record whose offset it holds. A
/// different source under the same name would have its records skipped as already landed: data lost without a word.
/// These checks catch what offsets can tell, so that the run stops with an error instead: a file shorter than what
/// the lake holds of its name, and a Kafka partition that ends at or below an offset the lake holds (the topic cannot
/// have produced it: it was deleted and re-created, or this is another cluster). A different source that is longer
/// cannot be told apart by offsets (see docs/exactly-once.md).
/// </summary>
internal static class SourceIdentity
{
    /// <summary>The failure when the lake holds offsets of a file's source at or beyond its record count.</summary>
    /// <param name="lake">The lake's path.</param>
    /// <param name="file">The file.</param>
    /// <param name="records">How many records the file has.</param>
    /// <param name="landedUpTo">The highest offset of the file's source the lake holds; -1 when none.</param>
    /// <param name="nothingLanded">Whether the check ran before any of the file's records could land.</param>
    /// <returns>The failure, or null when the file may be the one the lake holds.</returns>
    public static Me3Exception? CheckFile(string lake, FileExtent file, long records, long landedUpTo, bool nothingLanded)
    {
        if (landedUpTo < records)
        {
            return null;
        }

        var landed = nothingLanded
            ? "nothing of it was landed"
            : "lines the lake's tables had not reached may have landed";
        return new Me3Exception(
            string.Create(CultureInfo.InvariantCulture,
                $"The lake at '{lake}' holds source '{file.Source}' up to line {landedUpTo + 1:N0}, but '{file.Path}' has {records:N0} lines: it is a different file with the same name, whose lines would be skipped as already in the lake ({landed}). Land it as a new source with --source-name NAME (Me3Source.JsonLines's sourceName)."),
            source: file.Source, partition: FileExtent.Partition, offset: landedUpTo, file: file.Path);
    }

    /// <summary>The failure when the lake holds an offset of a Kafka partition at or beyond the partition's end.</summary>
    /// <param name="lake">The lake's path.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="landedUpTo">The highest offset of the partition the lake holds; -1 when none.</param>
    /// <param name="end">The partition's end offset (high watermark): the offset its next record gets.</param>
    /// <returns>The failure, or null when the lake holds only offsets the partition has.</returns>
    public static Me3Exception? CheckPartition(string lake, string topic, int partition, long landedUpTo, long end)
    {
        if (landedUpTo < end)
        {
            return null;
        }

        return new Me3Exception(
            string.Create(CultureInfo.InvariantCulture,
                $"The lake at '{lake}' holds topic '{topic}' partition {partition} up to offset {landedUpTo:N0}, but the partition ends at offset {end:N0}: the topic was deleted and re-created, or this is another cluster. Its records would be skipped as already in the lake, so nothing of it is landed and the ingestion stops. Land this topic in a new lake, or under a topic name this lake has not seen."),
            source: topic, partition: partition, offset: landedUpTo);
    }
}
