namespace Me3.Streams.Events;

/// <summary>
/// How many records a file source holds, for the lake writer's check that the lake holds no line the file does not
/// have. The lake remembers a file only by its source name and the line offsets it landed, so a different, shorter
/// file of the same name would otherwise be skipped line by line as already landed. Every block a file source emits
/// carries its extent; the last one, empty, carries the count of records read (<see cref="RecordBlock.SourceEnd"/>).
/// </summary>
/// <param name="source">The source name the file's offsets are kept under.</param>
/// <param name="path">The file.</param>
/// <param name="countRecords">Counts the records the source reads from the file by reading it separately; null when
/// the input cannot be read twice (a pipe). Called off the stream's thread.</param>
internal sealed class FileExtent(string source, string path, Func<long?> countRecords)
{
    /// <summary>The source name.</summary>
    public string Source { get; } = source;

    /// <summary>A file's records are all in partition 0.</summary>
    public const int Partition = 0;

    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>The file's record count, read ahead of the source (null when it cannot be).</summary>
    public long? CountRecords() => countRecords();
}
