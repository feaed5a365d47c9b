using System.Collections.Concurrent;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using Akka.Streams.TestKit;
using Confluent.Kafka;
using Me3.Streams;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Kafka;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Kafka;

/// <summary>
/// What a consume error does is the choice of the supervision strategy in the Kafka source's attributes, as with
/// Akka's own stages: one put on the source wins; without one, the settings' decider or the Kafka default decides,
/// never the materializer's default (which stops on every error).
/// </summary>
[Collection(KafkaSpecs.Name)]
public sealed class KafkaSourceSupervisionSpec(KafkaFixture fixture) : LakeSpec
{
    private readonly ConcurrentQueue<Exception> _decided = new();

    /// <summary>A topic nobody created: consuming it fails with "unknown topic or partition", an error that heals.</summary>
    private static string MissingTopic() => "missing" + Guid.NewGuid().ToString("N")[..10];

    private Decider Recording(Directive directive) => e =>
    {
        _decided.Enqueue(e);
        return directive;
    };

    private (IKafkaControl Control, TestSubscriber.Probe<RecordBlock> Probe) Run(Source<RecordBlock, IKafkaControl> source) =>
        source.ToMaterialized(this.SinkProbe<RecordBlock>(), Keep.Both).Run(Materializer);

    private static bool IsUnknownTopic(Exception e) => e is ConsumeException { Error.Code: ErrorCode.UnknownTopicOrPart };

    [Fact]
    public async Task A_strategy_on_the_source_must_win_over_the_settings_decider()
    {
        await StreamSpecAsync(async () =>
        {
            var source = Me3Source.KafkaCommittable(fixture.Consumer(MissingTopic(), KafkaFixture.NewGroup("supervised")).WithDecider(_ => Directive.Resume))
                .WithAttributes(ActorAttributes.CreateSupervisionStrategy(Recording(Directive.Stop)));
            var (control, probe) = Run(source);
            probe.Request(1);

            var error = Assert.IsType<Me3Exception>(await probe.ExpectErrorAsync());

            Assert.Contains("Kafka consume failed", error.Message);
            Assert.Contains(_decided, IsUnknownTopic);
            await control.Stopped.WaitAsync(TimeSpan.FromSeconds(30));
        }, timeout: TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Without_a_strategy_on_the_source_the_settings_decider_must_decide_not_a_strategy_on_the_enclosing_graph()
    {
        await StreamSpecAsync(async () =>
        {
            // The graph's strategy would resume; the source's own attributes carry the settings' decider, which stops.
            var source = Me3Source.KafkaCommittable(fixture.Consumer(MissingTopic(), KafkaFixture.NewGroup("settings-decider")).WithDecider(Recording(Directive.Stop)));
            var (control, probe) = Source.FromGraph(source)
                .ToMaterialized(this.SinkProbe<RecordBlock>(), Keep.Both)
                .WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider))
                .Run(Materializer);
            probe.Request(1);

            Assert.IsType<Me3Exception>(await probe.ExpectErrorAsync());
            Assert.Contains(_decided, IsUnknownTopic);
            await control.Stopped.WaitAsync(TimeSpan.FromSeconds(30));
        }, timeout: TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Without_any_strategy_an_error_that_heals_must_be_retried_not_stopped_by_the_materializers_default()
    {
        await StreamSpecAsync(async () =>
        {
            // The materializer's default stops on every error; the Kafka default resumes on ones that heal.
            var topic = MissingTopic();
            var (control, probe) = Run(Me3Source.KafkaCommittable(fixture.Consumer(topic, KafkaFixture.NewGroup("default-decider")).WithProperty("topic.metadata.refresh.interval.ms", "200")));
            probe.Request(1);
            await AwaitAssertAsync(() => Assert.Contains("Unknown topic or partition", control.LastWarning), TimeSpan.FromSeconds(30));
            Assert.False(control.Stopped.IsCompleted);

            fixture.Kafka.CreateTopic(topic, partitions: 1);
            await fixture.ProduceAsync(topic, ["{}"]);
            var block = await probe.ExpectNextAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(1, block.Count);
            await control.DrainAndShutdownAsync(Task.CompletedTask);
            await probe.ExpectCompleteAsync();
        }, timeout: TimeSpan.FromSeconds(90));
    }
}
