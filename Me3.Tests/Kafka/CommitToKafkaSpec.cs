using System.Collections.Concurrent;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Me3.Streams;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Kafka;

/// <summary><see cref="Me3Sink.CommitToKafka"/>: what it commits, to whom, and when it lets the stream go on.</summary>
public sealed class CommitToKafkaSpec : LakeSpec
{
    /// <summary>A committer at the Kafka boundary: records each commit; optionally holds commits until released, or fails them.</summary>
    private sealed class RecordingCommitter(bool held = false, Exception? failure = null) : IOffsetCommitter
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<IReadOnlyList<(string Source, int Partition, long NextOffset)>> Commits { get; } = new();

        public void Release() => _gate.TrySetResult();

        public async Task CommitAsync(IReadOnlyList<CommittableOffset> offsets, CancellationToken cancellationToken)
        {
            if (held)
            {
                await _gate.Task;
            }

            if (failure is not null)
            {
                throw failure;
            }

            Commits.Enqueue([.. offsets.Select(o => (o.Source, o.Partition, o.NextOffset)).Order()]);
        }
    }

    private static LakeCheckpoint Checkpoint(params CommittableOffset[] offsets) =>
        new([], offsets, new Dictionary<string, long>(), IsFinal: false);

    [Fact]
    public async Task CommitToKafka_must_commit_the_latest_position_of_each_partition_to_its_own_committer_and_skip_positions_without_one()
    {
        await StreamSpecAsync(async () =>
        {
            var a = new RecordingCommitter();
            var b = new RecordingCommitter();
            var done = Source.From(
                [
                    Checkpoint(new CommittableOffset("t", 0, 10, a), new CommittableOffset("t", 1, 4, b)),
                    Checkpoint(new CommittableOffset("t", 0, 20, a), new CommittableOffset("file.jsonl", 0, 99, null)),
                    Checkpoint(new CommittableOffset("t", 1, 5, b), new CommittableOffset("t", 2, 7, a)),
                ])
                .RunWith(Me3Sink.CommitToKafka(CommitterSettings.Default.WithMaxInterval(TimeSpan.FromSeconds(30))), Materializer);
            await done.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal([[("t", 0, 20L), ("t", 2, 7L)]], a.Commits);
            Assert.Equal([[("t", 1, 5L)]], b.Commits);
        });
    }

    [Fact]
    public async Task CommitToKafka_must_backpressure_while_a_commit_is_in_progress_and_complete_only_after_the_last_commit()
    {
        var exact = Sys.Materializer(ActorMaterializerSettings.Create(Sys).WithInputBuffer(1, 1));
        await StreamSpecAsync(async () =>
        {
            var committer = new RecordingCommitter(held: true);
            var (upstream, done) = this.SourceProbe<LakeCheckpoint>()
                .ToMaterialized(Me3Sink.CommitToKafka(CommitterSettings.Default.WithMaxBatch(1)), Keep.Both)
                .Run(exact);

            // One commit in progress, one batch waiting for it, a few elements in one-element buffers: then no more
            // demand however long the commit takes.
            var sent = 0;
            while (await DemandWithinAsync(upstream))
            {
                upstream.SendNext(Checkpoint(new CommittableOffset("t", 0, ++sent, committer)));
                Assert.True(sent <= 6, $"the sink took {sent} checkpoints while a commit was in progress");
            }

            Assert.InRange(sent, 2, 6);
            upstream.SendComplete();
            Assert.Empty(committer.Commits);
            Assert.False(done.IsCompleted, "the sink completed before its commits were acknowledged");

            committer.Release();
            await done.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(sent, committer.Commits.Last().Single().NextOffset);
        }, exact);
    }

    [Fact]
    public async Task CommitToKafka_must_fail_its_task_with_the_committer_s_failure()
    {
        await StreamSpecAsync(async () =>
        {
            var committer = new RecordingCommitter(failure: new Me3Exception("the consumer is closed"));
            var done = Source.Single(Checkpoint(new CommittableOffset("t", 0, 1, committer)))
                .RunWith(Me3Sink.CommitToKafka(CommitterSettings.Default), Materializer);

            var failure = await Assert.ThrowsAsync<Me3Exception>(() => done.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal("the consumer is closed", failure.Message);
        });
    }

    /// <summary>True when the probe is asked for more within a short while, false when no demand comes.</summary>
    private static async Task<bool> DemandWithinAsync(TestPublisher.Probe<LakeCheckpoint> upstream)
    {
        try
        {
            await upstream.ExpectRequestAsync(new CancellationTokenSource(TimeSpan.FromMilliseconds(500)).Token);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or Xunit.Sdk.XunitException)
        {
            return false;
        }
    }
}
