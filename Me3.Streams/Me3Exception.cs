namespace Me3.Streams;

/// <summary>
/// The one exception type Me3.Streams throws for its own failures. It carries the context a user needs to
/// find the problem: the source (topic or file), partition, offset and lake file involved, where known.
/// </summary>
public class Me3Exception : Exception
{
    /// <summary>Creates an exception with a message and optional context.</summary>
    /// <param name="message">What went wrong, in words a user can act on.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    /// <param name="source">The topic or file the failing record came from.</param>
    /// <param name="partition">The partition of the failing record.</param>
    /// <param name="offset">The offset of the failing record.</param>
    /// <param name="file">The lake or input file involved.</param>
    public Me3Exception(
        string message,
        Exception? innerException = null,
        string? source = null,
        int? partition = null,
        long? offset = null,
        string? file = null)
        : base(message, innerException)
    {
        SourceName = source;
        Partition = partition;
        Offset = offset;
        File = file;
    }

    /// <summary>The topic or file the failing record came from, if known.</summary>
    public string? SourceName { get; }

    /// <summary>The partition involved, if known.</summary>
    public int? Partition { get; }

    /// <summary>The offset involved, if known.</summary>
    public long? Offset { get; }

    /// <summary>The file involved, if known.</summary>
    public string? File { get; }
}
