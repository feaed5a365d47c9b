using Akka.Streams.Supervision;
using Confluent.Kafka;

namespace Me3.Streams.Settings;

/// <summary>
/// How the committable Kafka source consumes. Immutable; change it with the <c>With*</c> methods. Offsets are
/// committed only by the committer (never auto-committed), so a record's offset is committed only once it is landed.
/// </summary>
public sealed record KafkaConsumerSettings
{
    /// <summary>Creates settings for a consumer group.</summary>
    /// <param name="bootstrapServers">Comma-separated <c>host:port</c> list.</param>
    /// <param name="groupId">The consumer group.</param>
    /// <param name="topics">The topics to subscribe to.</param>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    public KafkaConsumerSettings(string bootstrapServers, string groupId, params string[] topics)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        ArgumentNullException.ThrowIfNull(topics);
        if (topics.Length == 0)
        {
            throw new ArgumentException("At least one topic is needed.", nameof(topics));
        }

        BootstrapServers = bootstrapServers;
        GroupId = groupId;
        Topics = topics;
    }

    /// <summary>Comma-separated <c>host:port</c> list.</summary>
    public string BootstrapServers { get; init; }

    /// <summary>The consumer group.</summary>
    public string GroupId { get; init; }

    /// <summary>The subscribed topics.</summary>
    public IReadOnlyList<string> Topics { get; init; }

    /// <summary>How long one poll waits for records when none are ready.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a drain-and-shutdown may take before the consumer is closed anyway.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a partition revocation waits for its in-flight records to land and commit.</summary>
    public TimeSpan RevokeTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Records held by the source before it pauses its partitions (backpressure without unbounded buffers).</summary>
    public int MaxBufferedRecords { get; init; } = 10_000;

    /// <summary>
    /// What a consume error does, unless a supervision strategy is put on the source itself
    /// (<c>Me3Source.KafkaCommittable(settings).WithAttributes(ActorAttributes.CreateSupervisionStrategy(decider))</c>),
    /// which wins: <see cref="Directive.Stop"/> fails the stream with the error; <see cref="Directive.Resume"/> (or
    /// Restart) polls again after a backoff (nothing was consumed, nothing is lost). This is the source's own default,
    /// and the way to choose for <c>Me3Graph.KafkaToLake</c>, whose source is inside the graph: a strategy on an
    /// enclosing graph or the materializer is less specific than the source's own and does not reach it. Default:
    /// null, the Kafka stages' default decider (<c>KafkaSupervision.DefaultDecider</c>: fatal errors stop, errors that
    /// heal resume).
    /// </summary>
    public Decider? Decider { get; init; }

    /// <summary>Raw librdkafka properties, applied last (e.g. <c>security.protocol</c>, <c>fetch.max.bytes</c>).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>Returns a copy with another poll timeout.</summary>
    /// <param name="timeout">The timeout.</param>
    /// <returns>The new settings.</returns>
    public KafkaConsumerSettings WithPollTimeout(TimeSpan timeout) => this with { PollTimeout = timeout };

    /// <summary>Returns a copy with another stop timeout.</summary>
    /// <param name="timeout">The timeout.</param>
    /// <returns>The new settings.</returns>
    public KafkaConsumerSettings WithStopTimeout(TimeSpan timeout) => this with { StopTimeout = timeout };

    /// <summary>Returns a copy with another revoke timeout.</summary>
    /// <param name="timeout">The timeout.</param>
    /// <returns>The new settings.</returns>
    public KafkaConsumerSettings WithRevokeTimeout(TimeSpan timeout) => this with { RevokeTimeout = timeout };

    /// <summary>Returns a copy with another buffer bound.</summary>
    /// <param name="records">Records held before pausing.</param>
    /// <returns>The new settings.</returns>
    public KafkaConsumerSettings WithMaxBufferedRecords(int records) => this with { MaxBufferedRecords = records };

    /// <summary>Returns a copy with another decider.</summary>
    /// <param name="decider">The decider.</param>
    /// <returns>The new settings.</returns>
    public KafkaConsumerSettings WithDecider(Decider decider) => this with { Decider = decider };

    /// <summary>Returns a copy with one more raw librdkafka property.</summary>
    /// <param name="name">The property name.</param>
    /// <param name="value">Its value.</param>
    /// <returns>The new settings.</returns>
    /// <exception cref="Me3Exception">The property contradicts a setting exactly-once rests on
    /// (<c>enable.auto.commit</c>, <c>enable.auto.offset.store</c>, <c>group.id</c>).</exception>
    public KafkaConsumerSettings WithProperty(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        RequireCompatible(name, value);
        return this with { Properties = new Dictionary<string, string>(Properties) { [name] = value } };
    }

    /// <summary>Checks the bounds and the raw properties.</summary>
    /// <exception cref="Me3Exception">A bound is out of range, or a raw property contradicts a setting exactly-once
    /// rests on.</exception>
    public void Validate()
    {
        Require(PollTimeout > TimeSpan.Zero, nameof(PollTimeout), PollTimeout, "must be positive");
        Require(StopTimeout > TimeSpan.Zero, nameof(StopTimeout), StopTimeout, "must be positive");
        Require(RevokeTimeout > TimeSpan.Zero, nameof(RevokeTimeout), RevokeTimeout, "must be positive");
        Require(MaxBufferedRecords > 0, nameof(MaxBufferedRecords), MaxBufferedRecords, "must be positive");
        foreach (var (name, value) in Properties)
        {
            RequireCompatible(name, value);
        }
    }

    /// <summary>
    /// The Confluent.Kafka configuration these settings stand for. Raw properties are applied first; the settings
    /// exactly-once rests on (no auto-commit, no auto offset store, the group id) are applied after them.
    /// </summary>
    /// <returns>A new configuration.</returns>
    /// <exception cref="Me3Exception">A bound is out of range, or a raw property contradicts a setting exactly-once
    /// rests on.</exception>
    public ConsumerConfig ToConsumerConfig()
    {
        Validate();

        var config = new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
            SessionTimeoutMs = 10_000,
            HeartbeatIntervalMs = 1_000,
        };
        foreach (var (name, value) in Properties)
        {
            config.Set(name, value);
        }

        // Forced last: offsets are committed only by the committer, once the lake holds the records.
        config.GroupId = GroupId;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        return config;
    }

    /// <summary>Raw properties that would break exactly-once (or bypass the settings that name them).</summary>
    private static readonly Dictionary<string, string?> Forced = new(StringComparer.OrdinalIgnoreCase)
    {
        ["enable.auto.commit"] = "false",
        ["enable.auto.offset.store"] = "false",
        ["group.id"] = null,
    };

    private static void Require(bool ok, string name, object value, string what) => SettingsCheck.Require(ok, "Kafka consumer", name, value, what);

    private static void RequireCompatible(string name, string value)
    {
        if (!Forced.TryGetValue(name.Trim(), out var allowed))
        {
            return;
        }

        if (allowed is null)
        {
            throw new Me3Exception($"Kafka consumer property '{name}' cannot be set as a raw property; use the settings' GroupId.");
        }

        if (!string.Equals(value.Trim(), allowed, StringComparison.OrdinalIgnoreCase))
        {
            throw new Me3Exception(
                $"Kafka consumer property '{name}={value}' would break exactly-once: offsets are committed only after the lake holds the records, so it must be '{allowed}'.");
        }
    }
}
