using Confluent.Kafka;

namespace Me3.Streams.Settings;

/// <summary>
/// How the producer publishes: acks from all in-sync replicas and idempotence always on, so a retried send is never
/// written twice. Immutable; change it with the <c>With*</c> methods.
/// </summary>
public sealed record KafkaProducerSettings
{
    /// <summary>Creates settings.</summary>
    /// <param name="bootstrapServers">Comma-separated <c>host:port</c> list.</param>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public KafkaProducerSettings(string bootstrapServers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        BootstrapServers = bootstrapServers;
    }

    /// <summary>Comma-separated <c>host:port</c> list.</summary>
    public string BootstrapServers { get; init; }

    /// <summary>The most messages awaiting acknowledgement in one flow; more backpressure.</summary>
    public int MaxInFlight { get; init; } = 1_000;

    /// <summary>How long a message may wait for acknowledgement (retries included) before its result is an error.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the producer waits to fill a batch.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Raw librdkafka properties, applied last; <c>acks</c> and <c>enable.idempotence</c> cannot be weakened.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>Returns a copy with another delivery timeout.</summary>
    /// <param name="timeout">The timeout.</param>
    /// <returns>The new settings.</returns>
    public KafkaProducerSettings WithDeliveryTimeout(TimeSpan timeout) => this with { DeliveryTimeout = timeout };

    /// <summary>Returns a copy with another in-flight bound.</summary>
    /// <param name="maxInFlight">Messages awaiting acknowledgement.</param>
    /// <returns>The new settings.</returns>
    public KafkaProducerSettings WithMaxInFlight(int maxInFlight) => this with { MaxInFlight = maxInFlight };

    /// <summary>Returns a copy with one more raw librdkafka property.</summary>
    /// <param name="name">The property name.</param>
    /// <param name="value">Its value.</param>
    /// <returns>The new settings.</returns>
    public KafkaProducerSettings WithProperty(string name, string value) =>
        this with { Properties = new Dictionary<string, string>(Properties) { [name] = value } };

    /// <summary>Checks the bounds.</summary>
    /// <exception cref="Me3Exception">A bound is out of range.</exception>
    public void Validate()
    {
        Require(MaxInFlight > 0, nameof(MaxInFlight), MaxInFlight, "must be positive");
        Require(DeliveryTimeout > TimeSpan.Zero && DeliveryTimeout.TotalMilliseconds <= int.MaxValue, nameof(DeliveryTimeout), DeliveryTimeout, "must be positive and under 24 days");
        Require(Linger >= TimeSpan.Zero, nameof(Linger), Linger, "must not be negative");
    }

    /// <summary>The Confluent.Kafka configuration these settings stand for.</summary>
    /// <returns>A new configuration.</returns>
    /// <exception cref="Me3Exception">A bound is out of range.</exception>
    public ProducerConfig ToProducerConfig()
    {
        Validate();
        var config = new ProducerConfig
        {
            BootstrapServers = BootstrapServers,
            MessageTimeoutMs = (int)DeliveryTimeout.TotalMilliseconds,
            LingerMs = Linger.TotalMilliseconds,
        };
        foreach (var (name, value) in Properties)
        {
            config.Set(name, value);
        }

        config.Acks = Acks.All;
        config.EnableIdempotence = true;
        return config;
    }

    private static void Require(bool ok, string name, object value, string what) => SettingsCheck.Require(ok, "Kafka producer", name, value, what);
}
