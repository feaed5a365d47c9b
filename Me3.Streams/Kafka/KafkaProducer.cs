using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Me3.Streams.Settings;

namespace Me3.Streams.Kafka;

/// <summary>A message to publish, with a value carried through to its result (a request to answer, say).</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Key">The key (partitioning); null for round-robin.</param>
/// <param name="Value">The value.</param>
/// <param name="PassThrough">Carried to the result unchanged.</param>
/// <typeparam name="TPass">The pass-through type.</typeparam>
public sealed record ProducerMessage<TPass>(string Topic, byte[]? Key, byte[] Value, TPass PassThrough);

/// <summary>What became of one message: where it was written, or why it was not.</summary>
/// <param name="Message">The message.</param>
/// <param name="Offset">Where the brokers acknowledged it; null when it failed.</param>
/// <param name="Error">Why it was not written; null when it was.</param>
/// <typeparam name="TPass">The pass-through type.</typeparam>
public sealed record ProducerResult<TPass>(ProducerMessage<TPass> Message, TopicPartitionOffset? Offset, Me3Exception? Error)
{
    /// <summary>Whether all in-sync replicas acknowledged the message.</summary>
    public bool Delivered => Error is null;
}

/// <summary>
/// One Kafka producer (thread-safe, meant to be shared for the application's life) and the stream stages over it.
/// </summary>
public sealed class KafkaProducer : IDisposable
{
    private readonly IProducer<byte[]?, byte[]> _producer;

    /// <summary>Creates the producer; it connects lazily.</summary>
    /// <param name="settings">The settings.</param>
    public KafkaProducer(KafkaProducerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        _producer = new ProducerBuilder<byte[]?, byte[]>(settings.ToProducerConfig()).Build();
    }

    /// <summary>The settings.</summary>
    public KafkaProducerSettings Settings { get; }

    /// <summary>
    /// Publishes each message and emits its result, in order.
    /// <para><b>Emits when</b> the message at the head is acknowledged or has failed (failures are results, not
    /// stream failures, so every message gets an answer).</para>
    /// <para><b>Backpressures when</b> <see cref="KafkaProducerSettings.MaxInFlight"/> messages await acknowledgement.</para>
    /// <para><b>Completes when</b> upstream completes and every result is emitted.</para>
    /// <para><b>Cancels when</b> downstream cancels.</para>
    /// </summary>
    /// <typeparam name="TPass">The pass-through type.</typeparam>
    /// <returns>The flow.</returns>
    public Flow<ProducerMessage<TPass>, ProducerResult<TPass>, NotUsed> Flow<TPass>() =>
        Akka.Streams.Dsl.Flow.Create<ProducerMessage<TPass>>()
            .SelectAsync(Settings.MaxInFlight, ProduceAsync)
            .Named("kafkaProducer");

    /// <summary>Publishes one message.</summary>
    /// <typeparam name="TPass">The pass-through type.</typeparam>
    /// <param name="message">The message.</param>
    /// <returns>Its result; never throws for delivery failures.</returns>
    public async Task<ProducerResult<TPass>> ProduceAsync<TPass>(ProducerMessage<TPass> message)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            var delivered = await _producer.ProduceAsync(message.Topic, new Message<byte[]?, byte[]> { Key = message.Key, Value = message.Value })
                .ConfigureAwait(false);
            Me3Metrics.RecordsProduced.Add(1, new KeyValuePair<string, object?>("topic", message.Topic));
            return new ProducerResult<TPass>(message, delivered.TopicPartitionOffset, null);
        }
        catch (ProduceException<byte[]?, byte[]> e)
        {
            return new ProducerResult<TPass>(message, null,
                new Me3Exception($"Kafka did not acknowledge the message to '{message.Topic}': {e.Error.Reason} ({e.Error.Code}).", e, source: message.Topic));
        }
    }

    /// <summary>Waits for messages in flight (up to the delivery timeout), then closes the producer.</summary>
    public void Dispose()
    {
        _producer.Flush(Settings.DeliveryTimeout);
        _producer.Dispose();
    }
}
