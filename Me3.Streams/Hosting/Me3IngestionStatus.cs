using Me3.Streams.Kafka;
using Me3.Streams.Lake;

namespace Me3.Streams.Hosting;

/// <summary>What the hosted ingestion is doing; for readiness checks and metrics.</summary>
public sealed class Me3IngestionStatus
{
    private long _rowsLanded;
    private long _filesLanded;

    /// <summary>Whether the ingestion graph is running.</summary>
    public bool Running { get; internal set; }

    /// <summary>Why it stopped, if it failed.</summary>
    public Exception? Failure { get; internal set; }

    /// <summary>The consumer's control, once started.</summary>
    public IKafkaControl? Control { get; internal set; }

    /// <summary>Rows landed since start.</summary>
    public long RowsLanded => Interlocked.Read(ref _rowsLanded);

    /// <summary>Files landed since start.</summary>
    public long FilesLanded => Interlocked.Read(ref _filesLanded);

    /// <summary>Raised after each checkpoint (on the stream's thread): for metrics.</summary>
    public event Action<LakeCheckpoint>? Checkpoint;

    internal void Record(LakeCheckpoint checkpoint)
    {
        Interlocked.Add(ref _rowsLanded, checkpoint.Files.Sum(f => f.Rows));
        Interlocked.Add(ref _filesLanded, checkpoint.Files.Count);
        Checkpoint?.Invoke(checkpoint);
    }
}
