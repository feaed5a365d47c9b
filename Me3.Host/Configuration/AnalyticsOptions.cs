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

    /// <summary>Queries the SQL endpoint (<c>/v1/statement</c>) holds at once, running or waiting; more are answered 503
    /// with <c>Retry-After</c>, which Trino's clients retry.</summary>
    public int MaxQueries { get; set; } = 32;

    /// <summary>How long a SQL endpoint query may go without its client asking for the next page before it is cancelled
    /// and its engine slot freed, in seconds.</summary>
    public double AbandonSeconds { get; set; } = 120;

    /// <summary>With <see cref="Password"/>: the user of HTTP basic authentication every analytics request must carry.</summary>
    public string? User { get; set; }

    /// <summary>With <see cref="User"/>: the password of HTTP basic authentication.</summary>
    public string? Password { get; set; }

    /// <summary>A bearer token analytics requests may carry instead (<c>Authorization: Bearer …</c>).</summary>
    public string? Token { get; set; }

    /// <summary>A separate listener for the analytics surface, such as <c>http://127.0.0.1:8081</c>: the surface then
    /// answers only on that port, and the game API's port does not serve it.</summary>
    public string? Urls { get; set; }

    /// <summary>Whether requests must authenticate (basic or bearer credentials are configured).</summary>
    public bool RequiresAuthentication => !string.IsNullOrEmpty(Password) || !string.IsNullOrEmpty(Token);

    /// <summary>How often the dashboard refreshes its live parts, in seconds.</summary>
    public double DashboardRefreshSeconds { get; set; } = 2;

    /// <summary>Whether the surface is on, given whether the host runs on its embedded broker.</summary>
    /// <param name="embeddedBroker">True when <c>Me3:Kafka:BootstrapServers</c> is empty.</param>
    /// <returns>Whether to serve it.</returns>
    public bool IsEnabled(bool embeddedBroker) => Enabled ?? embeddedBroker;
}
