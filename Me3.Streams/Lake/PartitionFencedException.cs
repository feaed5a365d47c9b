namespace Me3.Streams.Lake;

/// <summary>A batch was not published because one of its partitions is owned by another consumer now.</summary>
internal sealed class PartitionFencedException : Exception
{
    public PartitionFencedException()
        : base("A partition of the batch is owned by another consumer now.")
    {
    }
}
