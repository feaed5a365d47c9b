namespace Me3.Streams.Lake;

/// <summary>A file that is complete and visible in the lake.</summary>
/// <param name="Table">The table it belongs to.</param>
/// <param name="Path">Its full path.</param>
/// <param name="Rows">How many rows it holds.</param>
/// <param name="Bytes">Its size on disk.</param>
/// <param name="Ranges">The source offsets it holds.</param>
public sealed record LandedFile(string Table, string Path, int Rows, long Bytes, IReadOnlyList<OffsetRange> Ranges);
