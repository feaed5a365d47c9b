using System.Diagnostics;
using Akka.Event;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Kafka;

/// <summary>A Kafka source whose bootstrap address nobody answers: it says so clearly, and not twenty times a second.</summary>
public sealed class UnreachableClusterSpec : LakeSpec
{
    /// <summary>A local port nothing listens on: bound once by the system, then released.</summary>
    private static string ClosedAddress()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port}";
    }

    [Fact]
    public async Task An_unreachable_bootstrap_address_must_be_logged_once_at_once_naming_it_then_at_most_once_per_interval_counting_what_was_held_back()
    {
        await StreamSpecAsync(async () =>
        {
            var address = ClosedAddress();
            var warnings = CreateTestProbe();
            Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
            var (control, probe) = Me3Source.KafkaCommittable(new KafkaConsumerSettings(address, "unreachable", "events"))
                .ToMaterialized(this.SinkProbe<RecordBlock>(), Keep.Both)
                .Run(Materializer);
            probe.Request(1);

            bool About(Warning w) => w.Message.ToString()!.Contains("Kafka at " + address, StringComparison.Ordinal);
            await warnings.FishForMessageAsync<Warning>(About, TimeSpan.FromSeconds(30));
            var clock = Stopwatch.StartNew();
            var second = await warnings.FishForMessageAsync<Warning>(About, TimeSpan.FromSeconds(30));
            var gap = clock.Elapsed;

            Assert.Matches(@"\(\d+ more like it in the last 5 s\)", second.Message.ToString());
            Assert.True(gap >= TimeSpan.FromSeconds(4), $"two warnings about the same address {gap.TotalSeconds:F1} s apart");
            Assert.False(control.Joined.IsCompleted);

            await control.ShutdownAsync();
            probe.Cancel();
        }, timeout: TimeSpan.FromSeconds(90));
    }
}
