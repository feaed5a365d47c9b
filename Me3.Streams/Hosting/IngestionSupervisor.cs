using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Me3.Streams.Dsl;

namespace Me3.Streams.Hosting;

/// <summary>
/// Runs the Kafka → lake graph for the host's life: restarts it with backoff when it fails, gives up (state
/// <see cref="Me3IngestionState.Failed"/>) past the restart limit, and stops it gracefully on request.
/// </summary>
internal sealed class IngestionSupervisor
{
    private readonly Me3IngestionSettings _settings;
    private readonly Me3IngestionStatus _status;
    private readonly ActorSystem _system;
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private KafkaIngestion? _current;
    private Task _loop = Task.CompletedTask;

    public IngestionSupervisor(Me3IngestionSettings settings, Me3IngestionStatus status, ActorSystem system)
    {
        _settings = settings;
        _status = status;
        _system = system;
    }

    public void Start()
    {
        Me3Metrics.IngestionRestarts.Add(0); // present (at 0) before the first failure
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Stops restarting, then catches up (if set) and drains the running graph, all within the stop timeout.</summary>
    public async Task StopAsync()
    {
        KafkaIngestion? current;
        lock (_gate)
        {
            _stopping.TrySetResult();
            current = _current;
        }

        var timeout = _settings.Consumer.StopTimeout;
        using var deadline = new CancellationTokenSource(timeout);
        if (current is not null && !current.Completion.IsCompleted)
        {
            if (_settings.CatchUpBeforeStop)
            {
                try
                {
                    await current.Control.CatchUpAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _system.Log.Warning("Me3 ingestion did not read to the end of its topics within {0}; what it did not land is read again on the next start", timeout);
                }
                catch (Me3Exception e)
                {
                    _system.Log.Warning(e, "Me3 ingestion could not catch up before stopping");
                }
            }

            await current.DrainAndShutdownAsync(deadline.Token).ConfigureAwait(false);
        }

        await Task.WhenAny(_loop, Task.Delay(Timeout.Infinite, deadline.Token).ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var restart = _settings.Restart;
        var failures = new Queue<long>();
        var attempt = 0;
        while (true)
        {
            KafkaIngestion ingestion;
            lock (_gate)
            {
                if (_stopping.Task.IsCompleted)
                {
                    break;
                }

                try
                {
                    ingestion = Me3Graph.KafkaToLake(_settings.Consumer, _settings.Lake, _settings.Committer).Run(_system.Materializer());
                }
#pragma warning disable CA1031 // Whatever stops a run is a reason to restart it, not to crash the host.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    ingestion = null!;
                    _status.Ended(Me3IngestionState.Failed, e);
                    _system.Log.Error(e, "Me3 ingestion cannot start; it stays down");
                    return;
                }

                _current = ingestion;
                _status.Started(ingestion);
            }

            var started = Environment.TickCount64;
            Exception failure;
            try
            {
                await ingestion.Completion.ConfigureAwait(false);
                failure = new Me3Exception("The ingestion stopped without being asked to.");
            }
#pragma warning disable CA1031 // As above: the failure is reported and the graph restarted.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = e;
            }

            if (_stopping.Task.IsCompleted)
            {
                break;
            }

            var now = Environment.TickCount64;
            if (now - started > restart.MaxBackoff.TotalMilliseconds)
            {
                attempt = 0; // it ran well for a while: start the backoff over
            }

            failures.Enqueue(now);
            while (failures.Count > 0 && now - failures.Peek() > restart.MaxRestartsWithin.TotalMilliseconds)
            {
                failures.Dequeue();
            }

            if (failures.Count > restart.MaxRestarts)
            {
                _status.Ended(Me3IngestionState.Failed, failure);
                _system.Log.Error(failure, "Me3 ingestion failed {0} times within {1}; it stays down until the process restarts", failures.Count, restart.MaxRestartsWithin);
                return;
            }

            var delay = Backoff(restart, attempt++);
            _status.Ended(Me3IngestionState.Restarting, failure);
            Me3Metrics.IngestionRestarts.Add(1);
            _system.Log.Warning(failure, "Me3 ingestion failed; restarting in {0} (records not committed are read again and skipped if landed)", delay);
            await Task.WhenAny(Task.Delay(delay), _stopping.Task).ConfigureAwait(false);
        }

        _status.Ended(Me3IngestionState.Stopped);
    }

    /// <summary>The minimum backoff doubled per attempt up to the maximum, spread by the random factor.</summary>
    private static TimeSpan Backoff(RestartSettings restart, int attempt)
    {
        var exponential = restart.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var capped = Math.Min(restart.MaxBackoff.TotalMilliseconds, exponential);
#pragma warning disable CA5394 // Jitter, not security.
        return TimeSpan.FromMilliseconds(capped * (1 + Random.Shared.NextDouble() * restart.RandomFactor));
#pragma warning restore CA5394
    }
}
