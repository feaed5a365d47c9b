using Me3.Host.Configuration;
using Me3.Streams.Kafka;
using Microsoft.Extensions.Options;

namespace Me3.Host.Publishing;

/// <summary>Where Kafka is: the configured brokers, or, when none are, an embedded development broker.</summary>
public sealed partial class KafkaConnection : IDisposable
{
    /// <summary>Connects to the configured brokers or starts the embedded one.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="logger">Where the embedded broker's warning goes.</param>
    public KafkaConnection(IOptions<Me3Options> options, ILogger<KafkaConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kafka = options.Value.Kafka;
        if (string.IsNullOrWhiteSpace(kafka.BootstrapServers))
        {
            Embedded = new EmbeddedKafka(brokers: 3);
            Embedded.CreateTopic(kafka.Topic, partitions: 4, replicationFactor: 3);
            BootstrapServers = Embedded.BootstrapServers;
            LogEmbedded(logger, BootstrapServers);
        }
        else
        {
            BootstrapServers = kafka.BootstrapServers;
        }
    }

    /// <summary>The bootstrap servers clients use.</summary>
    public string BootstrapServers { get; }

    /// <summary>The embedded broker, when one runs.</summary>
    public EmbeddedKafka? Embedded { get; }

    /// <inheritdoc />
    public void Dispose() => Embedded?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Me3:Kafka:BootstrapServers is empty: using an EMBEDDED, IN-MEMORY, NON-DURABLE Kafka at {Bootstrap} (development only; events are lost on exit)")]
    private static partial void LogEmbedded(ILogger logger, string bootstrap);
}
