using Confluent.Kafka;
using Me3.Host.Configuration;
using Me3.Streams.Kafka;
using Microsoft.Extensions.Options;

namespace Me3.Host.Publishing;

/// <summary>Where Kafka is: the configured brokers, or, when none are, an embedded development broker.</summary>
public sealed partial class KafkaConnection : IDisposable
{
    private readonly Lazy<IAdminClient> _admin;

    /// <summary>Connects to the configured brokers or starts the embedded one.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="logger">Where the embedded broker's warning goes.</param>
    public KafkaConnection(IOptions<Me3Options> options, ILogger<KafkaConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kafka = options.Value.Kafka;
        if (string.IsNullOrWhiteSpace(kafka.BootstrapServers))
        {
            Topic = FreshEmbeddedTopic(options.Value.Lake.Path, kafka.Topic);
            Embedded = new EmbeddedKafka(brokers: 3);
            Embedded.CreateTopic(Topic, partitions: 4, replicationFactor: 3);
            BootstrapServers = Embedded.BootstrapServers;
            LogEmbedded(logger, BootstrapServers, Topic);
        }
        else
        {
            Topic = kafka.Topic;
            BootstrapServers = kafka.BootstrapServers;
        }

        _admin = new(() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build());
    }

    /// <summary>The topic the game API publishes to and the ingestion reads: <c>Me3:Kafka:Topic</c>, or with the
    /// embedded broker possibly a fresh incarnation of it (see <see cref="FreshEmbeddedTopic"/>).</summary>
    public string Topic { get; }

    /// <summary>
    /// A new embedded broker starts its topic's offsets at 0 again, while the lake remembers the offsets an earlier
    /// run landed under the topic's name and would skip new events at those offsets as replays. So each embedded run
    /// whose lake already holds that topic's events uses a new incarnation of the topic, <c>{topic}.2</c>,
    /// <c>{topic}.3</c>…, whose offsets the lake has never seen. Real Kafka keeps its offsets and its topic name.
    /// </summary>
    /// <param name="lake">The lake directory.</param>
    /// <param name="topic">The configured topic.</param>
    /// <returns>The topic name for this run.</returns>
    public static string FreshEmbeddedTopic(string lake, string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lake);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        var root = Path.GetFullPath(lake);
        if (!Directory.Exists(root))
        {
            return topic;
        }

        var used = 0;
        var files = Directory.EnumerateDirectories(root)
            .SelectMany(table => Directory.EnumerateDirectories(table, "dt=*"))
            .SelectMany(partition => Directory.EnumerateFiles(partition, topic + "*" + Streams.Lake.LakeFileName.Extension));
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var plus = name.IndexOf('+', StringComparison.Ordinal);
            var source = plus < 0 ? "" : name[..plus];
            if (source == topic)
            {
                used = Math.Max(used, 1);
            }
            else if (source.StartsWith(topic + ".", StringComparison.Ordinal)
                && int.TryParse(source.AsSpan(topic.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                used = Math.Max(used, n);
            }
        }

        return used == 0 ? topic : $"{topic}.{used + 1}";
    }

    /// <summary>The bootstrap servers clients use.</summary>
    public string BootstrapServers { get; }

    /// <summary>The embedded broker, when one runs.</summary>
    internal EmbeddedKafka? Embedded { get; }

    /// <summary>One admin client for the process's metadata queries (health checks), built on first use.</summary>
    public IAdminClient Admin => _admin.Value;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }

        Embedded?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Me3:Kafka:BootstrapServers is empty: using an EMBEDDED, IN-MEMORY, NON-DURABLE Kafka at {Bootstrap}, topic {Topic} (development only: a stop lands what it acknowledged, nothing survives the process)")]
    private static partial void LogEmbedded(ILogger logger, string bootstrap, string topic);
}
