using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Confluent.Kafka;
using Me3.Streams.Kafka;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Kafka;

[Collection(KafkaSpecs.Name)]
public sealed class KafkaProducerSpec(KafkaFixture fixture) : LakeSpec
{
    [Fact]
    public async Task Producer_flow_must_emit_an_acknowledged_result_per_message_in_order()
    {
        await StreamSpecAsync(async () =>
        {
            var topic = fixture.NewTopic(partitions: 4);
            using var producer = new KafkaProducer(new KafkaProducerSettings(fixture.Kafka.BootstrapServers));

            var results = await Source.From(Enumerable.Range(0, 500))
                .Select(i => new ProducerMessage<int>(topic, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}"), i))
                .Via(producer.Flow<int>())
                .RunWith(Sink.Seq<ProducerResult<int>>(), Materializer);

            Assert.Equal(Enumerable.Range(0, 500), results.Select(r => r.Message.PassThrough));
            Assert.All(results, r => Assert.True(r.Delivered));
            Assert.Equal(500, results.Select(r => (r.Offset!.Partition.Value, r.Offset.Offset.Value)).Distinct().Count());

            using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = fixture.Kafka.BootstrapServers, GroupId = "probe" }).Build();
            var total = Enumerable.Range(0, 4).Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
            Assert.Equal(500, total);
        });
    }

    [Fact]
    public async Task Producer_flow_must_hold_at_most_MaxInFlight_messages_unacknowledged_and_answer_each_with_an_error_when_kafka_cannot_acknowledge()
    {
        var exact = Sys.Materializer(ActorMaterializerSettings.Create(Sys).WithInputBuffer(1, 1));
        await StreamSpecAsync(async () =>
        {
            // One replica: with its leader down, nobody can acknowledge.
            var topic = fixture.NewTopic(partitions: 1, replicationFactor: 1);
            using var producer = new KafkaProducer(new KafkaProducerSettings(fixture.Kafka.BootstrapServers)
                .WithDeliveryTimeout(TimeSpan.FromSeconds(3)).WithMaxInFlight(3));
            var warm = await producer.ProduceAsync(new ProducerMessage<int>(topic, null, [1], 0));
            Assert.True(warm.Delivered);

            var leader = fixture.Leader(topic, 0);
            fixture.Kafka.BrokerDown(leader);
            try
            {
                var (upstream, downstream) = this.SourceProbe<ProducerMessage<int>>()
                    .Via(producer.Flow<int>())
                    .ToMaterialized(this.SinkProbe<ProducerResult<int>>(), Keep.Both)
                    .Run(exact);
                downstream.Request(100);

                // Three messages await acknowledgement and one more waits in the stage's one-element input buffer:
                // the flow asks for no more until they are answered.
                const int held = 3 + 1;
                var sent = 0;
                while (sent < held)
                {
                    var demand = await upstream.ExpectRequestAsync();
                    for (var i = 0; i < demand; i++)
                    {
                        upstream.SendNext(new ProducerMessage<int>(topic, null, [(byte)sent], sent++));
                    }
                }

                await upstream.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
                Assert.Equal(held, sent);
                upstream.SendComplete();

                var results = new List<ProducerResult<int>>();
                for (var i = 0; i < sent; i++)
                {
                    results.Add(await downstream.ExpectNextAsync(TimeSpan.FromSeconds(30)));
                }

                await downstream.ExpectCompleteAsync();
                Assert.Equal(Enumerable.Range(0, sent), results.Select(r => r.Message.PassThrough));
                Assert.All(results, r => Assert.False(r.Delivered));
                Assert.All(results, r => Assert.Contains("did not acknowledge", r.Error!.Message));
            }
            finally
            {
                fixture.Kafka.BrokerUp(leader);
            }
        }, exact);
    }
}
