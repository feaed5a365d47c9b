using System.Net;
using System.Net.Sockets;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Generation;

/// <summary><c>generate --url</c> as a user runs it, against a stand-in game API.</summary>
public sealed class GenerateCommandSpec
{
    [Fact]
    public async Task Generate_with_a_url_must_send_every_event_to_that_address()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = 0;
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref received);
                context.Response.StatusCode = 200;
                context.Response.Close("ok"u8.ToArray(), willBlock: false);
            }
        });

        var (exit, output, error) = await SamplesCli.RunAsync("generate", "--url", $"http://127.0.0.1:{port}", "--count", "40", "--concurrency", "4");
        listener.Stop();
        await serving;

        Assert.True(exit == 0, error);
        Assert.Equal(40, Volatile.Read(ref received));
        Assert.Contains("40 accepted, 0 failed", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-url")]
    [InlineData("ftp://host/")]
    public async Task Generate_with_a_url_that_is_not_http_must_say_so_in_one_line(string url)
    {
        var (exit, output, error) = await SamplesCli.RunAsync("generate", "--url", url, "--count", "3");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: --url must be an absolute http:// or https:// address", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
