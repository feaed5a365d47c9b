using System.Text.Json.Serialization;

namespace Me3.Host.Dashboard;

/// <summary>How a part of the pipeline is doing.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HealthState>))]
public enum HealthState
{
    /// <summary>Not checked yet (the first seconds after start).</summary>
    [JsonStringEnumMemberName("unknown")]
    Unknown,

    /// <summary>Working.</summary>
    [JsonStringEnumMemberName("healthy")]
    Healthy,

    /// <summary>Working in part, or late: events wait, the ingestion restarts.</summary>
    [JsonStringEnumMemberName("degraded")]
    Degraded,

    /// <summary>Not working.</summary>
    [JsonStringEnumMemberName("down")]
    Down,
}

/// <summary>The state of one part of the pipeline and why.</summary>
/// <param name="State">The state.</param>
/// <param name="Detail">Why, in words.</param>
public sealed record ComponentHealth(HealthState State, string Detail);

/// <summary>A count since the host started and its recent rate.</summary>
/// <param name="PerSecond">Per second over the last seconds; null until two readings exist.</param>
/// <param name="SinceStart">Since the host started.</param>
public sealed record Throughput(double? PerSecond, long SinceStart);

/// <summary>Where the ingestion is in one partition of the events topic.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="EndOffset">The partition's end as of the consumer's last fetch; null before its first fetch.</param>
/// <param name="Committed">The committed offset (the next to read after what landed); null before its first fetch.</param>
/// <param name="Lag">Records not landed yet: end − committed; null while either is unknown.</param>
public sealed record PartitionLag(int Partition, long? EndOffset, long? Committed, long? Lag);

/// <summary>What the ingestion landed in one table since the host started.</summary>
/// <param name="Table">The table.</param>
/// <param name="Rows">Rows landed.</param>
/// <param name="Files">Files landed.</param>
/// <param name="LastLanded">When its last file landed (UTC); null when none did.</param>
public sealed record TableLanding(string Table, long Rows, long Files, DateTime? LastLanded);

/// <summary>
/// The ingestion's health as the dashboard shows it (<c>GET /api/ingestion</c>): the state of Kafka and of the lake,
/// events accepted and landed, the lag per partition, and what landed per table. Read from the library's instruments
/// and the host's health checks, sampled every second.
/// </summary>
/// <param name="AsOf">When it was read (UTC).</param>
/// <param name="Topic">The events topic.</param>
/// <param name="Kafka">Whether Kafka answers and the ingestion's consumer owns partitions.</param>
/// <param name="Lake">Whether the ingestion runs and lands in time.</param>
/// <param name="IngestionState">The hosted ingestion's state (Running, Restarting…); <c>Disabled</c> when this host
/// does not ingest.</param>
/// <param name="Restarts">Restarts of the ingestion after failures.</param>
/// <param name="Accepted">Events Kafka acknowledged to the game API (the topic's produced records).</param>
/// <param name="Landed">Rows landed in the lake, all tables.</param>
/// <param name="Waiting">Records in Kafka not landed yet: the sum of the partitions' lag.</param>
/// <param name="LastLanded">When a file last landed, any table (UTC).</param>
/// <param name="Partitions">The lag per partition of the topic.</param>
/// <param name="Tables">What landed per table since start.</param>
public sealed record IngestionHealth(
    DateTime AsOf,
    string Topic,
    ComponentHealth Kafka,
    ComponentHealth Lake,
    string IngestionState,
    int Restarts,
    Throughput Accepted,
    Throughput Landed,
    long Waiting,
    DateTime? LastLanded,
    IReadOnlyList<PartitionLag> Partitions,
    IReadOnlyList<TableLanding> Tables)
{
    /// <summary>The same health, with the lake down because it cannot be queried.</summary>
    /// <param name="reason">What the engine said.</param>
    /// <returns>The health.</returns>
    public IngestionHealth WithUnreadableLake(string reason) =>
        this with { Lake = new ComponentHealth(HealthState.Down, $"the lake cannot be queried: {reason}") };
}
