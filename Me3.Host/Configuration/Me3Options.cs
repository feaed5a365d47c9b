namespace Me3.Host.Configuration;

/// <summary>The host's settings, bound from the <c>Me3</c> section (appsettings, or environment: <c>Me3__Kafka__Topic</c>).</summary>
public sealed class Me3Options
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Me3";

    /// <summary>Kafka connection.</summary>
    public KafkaOptions Kafka { get; set; } = new();

    /// <summary>The lake.</summary>
    public LakeOptions Lake { get; set; } = new();

    /// <summary>The game API.</summary>
    public ApiOptions Api { get; set; } = new();

    /// <summary>The ingestion service.</summary>
    public IngestOptions Ingest { get; set; } = new();

    /// <summary>The analytics surface (answers, SQL, dashboard).</summary>
    public AnalyticsOptions Analytics { get; set; } = new();
}

/// <summary><c>Me3:Kafka</c>.</summary>
public sealed class KafkaOptions
{
    /// <summary>Bootstrap servers; empty starts the embedded, non-durable development broker.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>The events topic.</summary>
    public string Topic { get; set; } = "events";

    /// <summary>The ingestion's consumer group.</summary>
    public string GroupId { get; set; } = "me3-ingest";
}

/// <summary><c>Me3:Lake</c>.</summary>
public sealed class LakeOptions
{
    /// <summary>The lake directory.</summary>
    public string Path { get; set; } = "./lake";
}

/// <summary><c>Me3:Api</c>.</summary>
public sealed class ApiOptions
{
    /// <summary>Whether this process serves the game API.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The longest accepted parameter value, in characters.</summary>
    public int MaxParameterLength { get; set; } = 256;

    /// <summary>The largest accepted request body, in bytes.</summary>
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>How long a request may wait for Kafka's acknowledgement before it gets 503.</summary>
    public double PublishTimeoutSeconds { get; set; } = 5;

    /// <summary>Events waiting for the producer; past it, requests wait (backpressure) until their timeout.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>The most open client connections; more are closed at once (a flood of idle connections cannot
    /// exhaust memory).</summary>
    public int MaxConnections { get; set; } = 4_096;

    /// <summary>How long an idle keep-alive connection stays open, in seconds.</summary>
    public double KeepAliveSeconds { get; set; } = 30;

    /// <summary>How long a client may take to send a request's headers, in seconds.</summary>
    public double HeadersTimeoutSeconds { get; set; } = 10;
}

/// <summary><c>Me3:Ingest</c>.</summary>
public sealed class IngestOptions
{
    /// <summary>Whether this process runs the Kafka → lake ingestion.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Records per table batch.</summary>
    public int BatchRecords { get; set; } = 250_000;

    /// <summary>Event JSON MiB per table batch.</summary>
    public int BatchMegabytes { get; set; } = 32;

    /// <summary>Longest wait of a buffered record, in seconds.</summary>
    public double BatchSeconds { get; set; } = 30;

    /// <summary>The longest a stop may take to land and commit what is in flight, in seconds.</summary>
    public double StopTimeoutSeconds { get; set; } = 30;

    /// <summary>How many restarts after failures are allowed within <see cref="RestartWindowSeconds"/>; past that the
    /// ingestion stays down and liveness fails.</summary>
    public int MaxRestarts { get; set; } = 10;

    /// <summary>The window <see cref="MaxRestarts"/> counts in, in seconds.</summary>
    public double RestartWindowSeconds { get; set; } = 600;

    /// <summary>The first backoff before a restart, in seconds; it doubles per failure up to <see cref="RestartMaxBackoffSeconds"/>.</summary>
    public double RestartMinBackoffSeconds { get; set; } = 1;

    /// <summary>The longest backoff before a restart, in seconds.</summary>
    public double RestartMaxBackoffSeconds { get; set; } = 30;
}
