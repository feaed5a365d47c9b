using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Me3.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Me3.Tests.Integration;

/// <summary>Me3.Host as a real process on Kestrel: what SIGTERM (systemd stop, docker stop) does.</summary>
public sealed partial class HostStopSpec(ITestOutputHelper output) : IDisposable
{
    private readonly TempLake _temp = new();

    [Fact]
    public async Task SIGTERM_must_land_every_event_the_embedded_broker_acknowledged_and_exit_0()
    {
        using var host = ChildProcess.Start("Me3.Host", ["--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["Me3__Lake__Path"] = _temp.Lake,
            ["Me3__Kafka__BootstrapServers"] = "",
            ["Me3__Ingest__BatchSeconds"] = "600", // only the stop lands them
            ["Me3__Ingest__StopTimeoutSeconds"] = "30",
        });
        var address = await ListeningAddressAsync(host);

        // A client keeps sending through the stop: every event answered 200 must be in the lake afterwards.
        using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
        var acknowledged = new List<string>();
        var clock = new Stopwatch();
        for (var i = 0; i < 1000; i++)
        {
            if (i == 30)
            {
                ChildProcess.Terminate(host);
                clock.Start();
            }

            try
            {
                using var response = await client.GetAsync($"/purchase_a_sword?user_name=term_{i}&sword_name=s");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    acknowledged.Add($"term_{i}");
                }
            }
            catch (HttpRequestException)
            {
                break; // the API has stopped listening
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30 + 5));
        await host.WaitForExitAsync(timeout.Token);
        output.WriteLine($"{acknowledged.Count} acknowledged; exited {host.ExitCode} {clock.Elapsed.TotalSeconds:F1} s after SIGTERM");
        output.WriteLine(await host.StandardOutput.ReadToEndAsync());

        Assert.Equal(0, host.ExitCode);
        using var duck = new DuckLake(_temp.Lake);
        var landed = duck.Rows($"SELECT user_name FROM {duck.Table("purchases")}").Select(r => (string)r[0]!).ToList();
        Assert.Equal(acknowledged.Order(), landed.Order());
    }

    [Theory]
    [InlineData("Me3__Kafka__Topic", "../bad topic", "Me3:Kafka:Topic")]
    [InlineData("Me3__Api__MaxBodyBytes", "lots", "Me3:Api:MaxBodyBytes")]
    [InlineData("Me3__Api__MaxConnections", "0", "Me3:Api:MaxConnections")]
    public async Task A_bad_setting_must_stop_the_host_with_one_line_naming_the_key_and_exit_code_1(string variable, string value, string key)
    {
        using var host = ChildProcess.Start("Me3.Host", ["--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["Me3__Lake__Path"] = _temp.Lake,
            [variable] = value,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.WaitForExitAsync(timeout.Token);
        var stderr = await host.StandardError.ReadToEndAsync();
        output.WriteLine(stderr);

        Assert.Equal(1, host.ExitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(key, line);
    }

    [Fact]
    public async Task The_host_must_survive_more_idle_connections_than_its_limit_and_close_the_excess()
    {
        const int limit = 20;
        using var host = ChildProcess.Start("Me3.Host", ["--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["Me3__Lake__Path"] = _temp.Lake,
            ["Me3__Ingest__Enabled"] = "false",
            ["Me3__Kafka__BootstrapServers"] = "",
            ["Me3__Api__MaxConnections"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var address = new Uri(await ListeningAddressAsync(host));
        var idle = new List<System.Net.Sockets.TcpClient>();
        try
        {
            for (var i = 0; i < limit * 5; i++)
            {
                var socket = new System.Net.Sockets.TcpClient();
                await socket.ConnectAsync(address.Host, address.Port);
                idle.Add(socket); // connected, sends nothing
            }

            // The host closes what is over its limit: those connections read end-of-stream.
            var closed = 0;
            foreach (var socket in idle)
            {
                socket.ReceiveTimeout = 200;
                try
                {
                    if (socket.GetStream().Read(new byte[1]) == 0)
                    {
                        closed++;
                    }
                }
                catch (IOException)
                {
                    // still open: the read timed out
                }
            }

            output.WriteLine($"{closed} of {idle.Count} idle connections closed by the host");
            Assert.False(host.HasExited);
            Assert.True(closed >= idle.Count - limit, $"only {closed} of the {idle.Count - limit} connections over the limit were closed");
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }

        using var client = new HttpClient { BaseAddress = address };
        Assert.Equal("ok", await client.GetStringAsync("/healthz"));
        ChildProcess.Terminate(host);
        await host.WaitForExitAsync();
    }

    private static async Task<string> ListeningAddressAsync(Process host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await host.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (Listening().Match(line) is { Success: true } m)
            {
                return m.Groups[1].Value;
            }
        }

        throw new InvalidOperationException($"the host exited ({host.ExitCode}) without listening: {await host.StandardError.ReadToEndAsync()}");
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();

    public void Dispose()
    {
        _temp.Dispose();
    }
}
