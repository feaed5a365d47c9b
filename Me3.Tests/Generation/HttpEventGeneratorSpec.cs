using Confluent.Kafka;
using Me3.Host.Publishing;
using Me3.Samples.Generation;
using Me3.Tests.Host;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Me3.Tests.Generation;

public sealed class HttpEventGeneratorSpec
{
    [Fact]
    public async Task The_same_seed_must_send_the_same_requests_and_every_accepted_one_must_be_in_the_topic()
    {
        using var host = new HostFactory(new() { ["Me3:Ingest:Enabled"] = "false" });
        var first = new Recorder(host.Server.CreateHandler());
        var second = new Recorder(host.Server.CreateHandler());
        var third = new Recorder(host.Server.CreateHandler());

        using (var generator = new HttpEventGenerator(new Uri("http://localhost"), concurrency: 8, playerHosts: true, first))
        {
            var report = await generator.RunAsync(300, seed: 7, concurrency: 8, rate: null, progress: null, CancellationToken.None);
            Assert.Equal(300, report.Accepted);
            Assert.Equal(0, report.Failed);
            Assert.Equal(300, report.LatenciesMs.Length);
            Assert.True(report.Percentile(50) <= report.Percentile(99));
        }

        using (var generator = new HttpEventGenerator(new Uri("http://localhost"), concurrency: 3, playerHosts: true, second))
        {
            await generator.RunAsync(300, seed: 7, concurrency: 3, rate: null, progress: null, CancellationToken.None);
        }

        using (var generator = new HttpEventGenerator(new Uri("http://localhost"), concurrency: 3, playerHosts: true, third))
        {
            await generator.RunAsync(300, seed: 8, concurrency: 3, rate: null, progress: null, CancellationToken.None);
        }

        Assert.Equal(first.Requests.Order(), second.Requests.Order());
        Assert.NotEqual(first.Requests.Order(), third.Requests.Order());
        Assert.Contains(first.Requests, r => r.Contains("/purchase_a_sword?user_name=player_", StringComparison.Ordinal) && r.Contains("ME3_", StringComparison.Ordinal));

        var kafka = host.Services.GetRequiredService<KafkaConnection>();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = "count" }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        var partitions = admin.GetMetadata(kafka.Topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions;
        var inTopic = partitions.Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(kafka.Topic, p.PartitionId), TimeSpan.FromSeconds(10)).High.Value);
        Assert.Equal(900, inTopic);
    }

    [Fact]
    public async Task A_rate_must_hold_requests_back()
    {
        using var host = new HostFactory(new() { ["Me3:Ingest:Enabled"] = "false" });
        using var generator = new HttpEventGenerator(new Uri("http://localhost"), concurrency: 4, playerHosts: false, host.Server.CreateHandler());

        var report = await generator.RunAsync(20, seed: 1, concurrency: 4, rate: 40, progress: null, CancellationToken.None);

        Assert.Equal(20, report.Accepted);
        Assert.True(report.Elapsed >= TimeSpan.FromSeconds(19.0 / 40 * 0.9), $"20 requests at 40/s took {report.Elapsed}");
    }

    /// <summary>Records each request as method, path and query, User-Agent and Host, then passes it on.</summary>
    private sealed class Recorder(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add($"{request.Method} {request.RequestUri!.PathAndQuery} {request.Headers.UserAgent} {request.Headers.Host}");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
