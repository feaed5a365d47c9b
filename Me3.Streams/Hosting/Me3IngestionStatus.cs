using Me3.Streams.Dsl;
using Me3.Streams.Kafka;

namespace Me3.Streams.Hosting;

/// <summary>What the hosted ingestion is doing.</summary>
public enum Me3IngestionState
{
    /// <summary>Not started yet.</summary>
    Starting,

    /// <summary>Consuming and landing.</summary>
    Running,

    /// <summary>Failed; waiting out its backoff before the next start.</summary>
    Restarting,

    /// <summary>Failed more often than its restart settings allow: down for good, until the process restarts.</summary>
    Failed,

    /// <summary>Stopped on request (shutdown).</summary>
    Stopped,
}

/// <summary>What the hosted ingestion is doing; for health checks. Thread-safe.</summary>
public sealed class Me3IngestionStatus
{
    private readonly Lock _gate = new();
    private KafkaIngestion? _current;
    private long _rowsBefore;
    private long _filesBefore;

    /// <summary>The state.</summary>
    public Me3IngestionState State { get; private set; }

    /// <summary>Whether the ingestion graph is running.</summary>
    public bool Running => State == Me3IngestionState.Running;

    /// <summary>The last failure, if any.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>How many times it was restarted after a failure.</summary>
    public int Restarts { get; private set; }

    /// <summary>The running graph's consumer control; null when none runs.</summary>
    public IKafkaControl? Control => _current?.Control;

    /// <summary>Rows landed since the process started, over all runs.</summary>
    public long RowsLanded
    {
        get
        {
            lock (_gate)
            {
                return _rowsBefore + (_current?.RowsLanded ?? 0);
            }
        }
    }

    /// <summary>Files landed since the process started, over all runs.</summary>
    public long FilesLanded
    {
        get
        {
            lock (_gate)
            {
                return _filesBefore + (_current?.FilesLanded ?? 0);
            }
        }
    }

    internal void Started(KafkaIngestion ingestion)
    {
        lock (_gate)
        {
            _current = ingestion;
            State = Me3IngestionState.Running;
        }
    }

    internal void Ended(Me3IngestionState state, Exception? failure = null)
    {
        lock (_gate)
        {
            _rowsBefore += _current?.RowsLanded ?? 0;
            _filesBefore += _current?.FilesLanded ?? 0;
            _current = null;
            State = state;
            Failure = failure ?? Failure;
            if (state == Me3IngestionState.Restarting)
            {
                Restarts++;
            }
        }
    }
}
