namespace Me3.Streams.Settings;

/// <summary>Which library encodes the lake's Parquet files. Both write the same schema that readers see.</summary>
public enum ParquetWriterKind
{
    /// <summary>ParquetSharp (Apache Arrow's C++ writer, a native library shipped for Linux, macOS and Windows on x64
    /// and arm64): the fastest, and it leaves the statistics of long values out of the file. The default.</summary>
    ParquetSharp,

    /// <summary>Parquet.Net, pure managed code, for platforms or users that refuse native code: about twice the
    /// encoding CPU, and it keeps min/max statistics of values however long.</summary>
    ParquetNet,
}
