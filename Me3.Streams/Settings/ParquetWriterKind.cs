namespace Me3.Streams.Settings;

/// <summary>Which library encodes the lake's Parquet files. Both write the same schema that readers see.</summary>
public enum ParquetWriterKind
{
    /// <summary>ParquetSharp (Apache Arrow's C++ writer, a native library shipped for Linux, macOS and Windows on x64
    /// and arm64): the fastest, and it writes min/max statistics only for the timestamp, partition and offset (text statistics prune
    /// nothing here and cost encoding time; a long value never bloats the footer). The default.</summary>
    ParquetSharp,

    /// <summary>Parquet.Net, pure managed code, for platforms or users that refuse native code: about twice the
    /// encoding CPU, and it writes min/max statistics of every column, text values however long included.</summary>
    ParquetNet,
}
