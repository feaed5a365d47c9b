namespace Me3.Streams.Lake;

/// <summary>The offsets of one source partition that a lake file holds: every record of that partition
/// routed to the file's table and date between <paramref name="First"/> and <paramref name="Last"/>.</summary>
/// <param name="Partition">The source partition.</param>
/// <param name="First">The lowest offset in the file.</param>
/// <param name="Last">The highest offset in the file.</param>
public readonly record struct OffsetRange(int Partition, long First, long Last);
