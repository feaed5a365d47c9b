using System.Diagnostics;
using Me3.Streams.Events;
using Me3.Streams.Kafka;
using Xunit;

namespace Me3.Tests.Kafka;

[Collection(KafkaSpecs.Name)]
public sealed class KafkaConsumerWorkerSpec(KafkaFixture fixture)
{
    /// <summary>A lake writer whose stage stops right after the revocation was handed to it: it never answers.</summary>
    private sealed class StoppedWriter(Action<IPartitionListener> unsubscribe) : IPartitionListener
    {
        public TaskCompletionSource Assigned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnAssigned(IReadOnlyList<(string Source, int Partition)> partitions) => Assigned.TrySetResult();

        public Task<IReadOnlyList<CommittableOffset>> OnRevokedAsync(IReadOnlyList<(string Source, int Partition)> partitions)
        {
            unsubscribe(this); // what the stage's PostStop does
            return new TaskCompletionSource<IReadOnlyList<CommittableOffset>>().Task;
        }

        public void OnLost(IReadOnlyList<(string Source, int Partition)> partitions)
        {
        }
    }

    [Fact]
    public async Task A_revocation_whose_writer_stopped_must_not_hold_the_consumer_for_the_revoke_timeout()
    {
        var topic = fixture.NewTopic(partitions: 2);
        var settings = fixture.Consumer(topic, KafkaFixture.NewGroup("revoke-stopped")).WithRevokeTimeout(TimeSpan.FromSeconds(60));
        var worker = new KafkaConsumerWorker(settings, KafkaSupervision.DefaultDecider, _ => { }, _ => { }, _ => { }, _ => { });
        var writer = new StoppedWriter(worker.Unsubscribe);
        worker.Subscribe(writer);
        worker.Start();
        await writer.Assigned.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var clock = Stopwatch.StartNew();
        await worker.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30)); // closing revokes the partitions

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"closing took {clock.Elapsed}");
    }
}
