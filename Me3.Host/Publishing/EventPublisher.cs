using System.Threading.Channels;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Me3.Host.Configuration;
using Me3.Streams.Kafka;
using Microsoft.Extensions.Options;

namespace Me3.Host.Publishing;

/// <summary>
/// Publishes game events through the Me3.Streams producer stage. Requests enter a bounded queue: when Kafka is slow
/// the queue fills and requests wait (backpressure) instead of memory growing; a request whose event is not
/// acknowledged within the publish timeout is answered 503 by the API.
/// </summary>
public sealed class EventPublisher : IDisposable
{
    private readonly Channel<ProducerMessage<TaskCompletionSource<bool>>> _queue;
    private readonly KafkaProducer _producer;
    private readonly string _topic;

    /// <summary>Starts the publishing stream.</summary>
    /// <param name="system">The actor system.</param>
    /// <param name="kafka">Where Kafka is.</param>
    /// <param name="options">The settings.</param>
    public EventPublisher(ActorSystem system, KafkaConnection kafka, IOptions<Me3Options> options)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(options);
        var api = options.Value.Api;
        _topic = kafka.Topic;
        Timeout = TimeSpan.FromSeconds(api.PublishTimeoutSeconds);
        _producer = new KafkaProducer(new Streams.Settings.KafkaProducerSettings(kafka.BootstrapServers).WithDeliveryTimeout(Timeout));
        _queue = Channel.CreateBounded<ProducerMessage<TaskCompletionSource<bool>>>(new BoundedChannelOptions(api.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        ChannelSource.FromReader(_queue.Reader)
            .Via(_producer.Flow<TaskCompletionSource<bool>>())
            .RunWith(Sink.ForEach<ProducerResult<TaskCompletionSource<bool>>>(r => r.Message.PassThrough.TrySetResult(r.Delivered)), system.Materializer());
    }

    /// <summary>How long a publish may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Publishes one event; true when all in-sync replicas acknowledged it within the timeout.</summary>
    /// <param name="json">The event's UTF-8 JSON.</param>
    /// <param name="aborted">The request's abort token.</param>
    /// <returns>Whether it was acknowledged.</returns>
    public async Task<bool> PublishAsync(byte[] json, CancellationToken aborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(Timeout);
        var acknowledged = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new ProducerMessage<TaskCompletionSource<bool>>(_topic, null, json, acknowledged), timeout.Token).ConfigureAwait(false);
            return await acknowledged.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _producer.Dispose();
    }
}
