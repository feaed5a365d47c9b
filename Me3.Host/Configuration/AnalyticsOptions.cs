namespace Me3.Host.Configuration;

/// <summary>
/// <c>Me3:Analytics</c>: the analytics surface (answers JSON, SQL over HTTP, dashboard), which reads the lake. It is
/// read-only and confined to the lake, and must not face players: it is on by default only with the embedded
/// development broker.
/// </summary>
public sealed class AnalyticsOptions
{
    /// <summary>Whether the analytics surface is served; unset means on with the embedded broker, off with real Kafka.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Longest run of one query, in seconds.</summary>
    public double QueryTimeoutSeconds { get; set; } = 30;

    /// <summary>Most rows one query returns.</summary>
    public int MaxRows { get; set; } = 10_000;

    /// <summary>Queries the embedded engine runs at once; more wait.</summary>
    public int MaxConcurrentQueries { get; set; } = 4;

    /// <summary>How long computed answers are reused, in seconds, so that many viewers cost one computation.</summary>
    public double AnswersCacheSeconds { get; set; } = 2;

    /// <summary>Whether the surface is on, given whether the host runs on its embedded broker.</summary>
    /// <param name="embeddedBroker">True when <c>Me3:Kafka:BootstrapServers</c> is empty.</param>
    /// <returns>Whether to serve it.</returns>
    public bool IsEnabled(bool embeddedBroker) => Enabled ?? embeddedBroker;
}
