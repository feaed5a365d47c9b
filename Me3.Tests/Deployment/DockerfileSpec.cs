using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Deployment;

/// <summary>
/// The Dockerfiles under docker/, read as text: no Docker engine or linter runs here, so these specs check what a
/// build or a run would otherwise find out late (a missing file, an unpinned base, a root user, a health check that
/// asks the wrong thing).
/// </summary>
public sealed partial class DockerfileSpec
{
    private static readonly string HostDockerfile = Repository.Path("docker", "Dockerfile");

    private static IEnumerable<string> Dockerfiles() =>
        Directory.EnumerateFiles(Repository.Path("docker"), "Dockerfile", SearchOption.AllDirectories).Order();

    /// <summary>Instructions with their continuation lines joined, comments dropped.</summary>
    private static List<(string Keyword, string Arguments)> Instructions(string dockerfile)
    {
        var instructions = new List<(string, string)>();
        var current = new StringBuilder();
        foreach (var line in File.ReadAllLines(dockerfile))
        {
            var trimmed = line.Trim();
            if (current.Length == 0 && (trimmed.Length == 0 || trimmed.StartsWith('#')))
            {
                continue;
            }

            current.Append(trimmed.TrimEnd('\\').TrimEnd()).Append(' ');
            if (!trimmed.EndsWith('\\'))
            {
                var text = current.ToString().Trim();
                var space = text.IndexOf(' ', StringComparison.Ordinal);
                instructions.Add((text[..space].ToUpperInvariant(), text[(space + 1)..].Trim()));
                current.Clear();
            }
        }

        return instructions;
    }

    /// <summary>The instructions of one build stage (from its FROM to the next).</summary>
    private static List<(string Keyword, string Arguments)> Stage(string dockerfile, string name)
    {
        var all = Instructions(dockerfile);
        var start = all.FindIndex(i => i.Keyword == "FROM" && i.Arguments.EndsWith(" AS " + name, StringComparison.OrdinalIgnoreCase));
        Assert.True(start >= 0, $"{dockerfile} has no stage '{name}'");
        var end = all.FindIndex(start + 1, i => i.Keyword == "FROM");
        return all.GetRange(start, (end < 0 ? all.Count : end) - start);
    }

    [Fact]
    public void Every_base_image_must_be_pinned_by_version()
    {
        foreach (var dockerfile in Dockerfiles())
        {
            var stages = new List<string>();
            foreach (var (_, arguments) in Instructions(dockerfile).Where(i => i.Keyword == "FROM"))
            {
                var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToArray();
                var image = parts[0];
                if (!stages.Contains(image))
                {
                    Assert.Matches(PinnedImage(), image);
                    Assert.DoesNotContain(":latest", image, StringComparison.Ordinal);
                }

                if (parts.Length == 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase))
                {
                    stages.Add(parts[2]);
                }
            }
        }
    }

    [Fact]
    public void Every_file_the_build_copies_must_exist_and_the_build_context_must_leave_out_local_build_output()
    {
        foreach (var (_, arguments) in Instructions(HostDockerfile).Where(i => i.Keyword == "COPY" && !i.Arguments.Contains("--from=", StringComparison.Ordinal)))
        {
            var sources = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).SkipLast(1);
            foreach (var source in sources)
            {
                var path = Repository.Path(source.TrimEnd('/'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source}: no such file in the build context (the repository root)");
            }
        }

        var ignored = File.ReadAllLines(Repository.Path(".dockerignore")).Select(l => l.Trim()).ToArray();
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
    }

    [Fact]
    public void The_restore_layer_must_hold_every_project_the_published_projects_reference()
    {
        var copied = Instructions(HostDockerfile).Where(i => i.Keyword == "COPY" && i.Arguments.Contains(".csproj", StringComparison.Ordinal))
            .Select(i => i.Arguments.Split(' ')[0])
            .ToHashSet();
        var needed = new HashSet<string>();
        var pending = new Stack<string>(["Me3.Host/Me3.Host.csproj", "Me3.Samples/Me3.Samples.csproj"]);
        while (pending.TryPop(out var project))
        {
            if (!needed.Add(project))
            {
                continue;
            }

            foreach (var reference in XDocument.Load(Repository.Path(project)).Descendants("ProjectReference"))
            {
                var relative = Path.GetRelativePath(Repository.Root, Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Repository.Path(project))!, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
                pending.Push(relative);
            }
        }

        Assert.Equal(needed.Order(), copied.Order());
    }

    [Fact]
    public void The_host_must_run_as_a_non_root_user_configured_by_environment_with_its_lake_mount_point()
    {
        var host = Stage(HostDockerfile, "host");
        var cli = Stage(HostDockerfile, "cli");

        foreach (var stage in new[] { host, cli })
        {
            var user = stage.Last(i => i.Keyword == "USER").Arguments;
            Assert.Equal("$APP_UID", user); // the .NET images' non-root user (uid 1654)
            Assert.True(stage.FindLastIndex(i => i.Keyword == "USER") > stage.FindLastIndex(i => i.Keyword is "RUN" or "COPY"), "USER must come after the last RUN and COPY");
            Assert.DoesNotContain(stage, i => i.Keyword == "ARG");
        }

        Assert.Equal(@"[""dotnet"", ""Me3.Host.dll""]", host.Single(i => i.Keyword == "ENTRYPOINT").Arguments);
        Assert.Equal(@"[""dotnet"", ""Me3.Samples.dll""]", cli.Single(i => i.Keyword == "ENTRYPOINT").Arguments);
        Assert.Contains(host, i => i.Keyword == "ENV" && i.Arguments.Contains("Me3__Lake__Path=/lake", StringComparison.Ordinal));
        Assert.Contains(host, i => i.Keyword == "ENV" && i.Arguments.Contains("ASPNETCORE_HTTP_PORTS=8080", StringComparison.Ordinal));
        Assert.Contains(host, i => i.Keyword == "VOLUME" && i.Arguments == "/lake");
        Assert.Contains(host, i => i.Keyword == "EXPOSE" && i.Arguments == "8080");
        Assert.Contains(host, i => i.Keyword == "RUN" && i.Arguments.Contains("chown \"$APP_UID:$APP_UID\" /lake", StringComparison.Ordinal));
        Assert.Equal("host", Instructions(HostDockerfile).Last(i => i.Keyword == "FROM").Arguments.Split(' ')[^1]); // the default target
        Assert.Contains(Stage(HostDockerfile, "build"), i => i.Keyword == "RUN" && i.Arguments.Contains("-p:PublishReadyToRun=true", StringComparison.Ordinal) && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(200, 0)]
    [InlineData(503, 1)]
    public async Task The_health_check_must_pass_only_when_readyz_answers_200(int status, int expectedExit)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await using var stream = client.GetStream();
            var request = new StringBuilder();
            var buffer = new byte[1024];
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer);
                if (n == 0)
                {
                    break;
                }

                request.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            var reason = status == 200 ? "OK" : "Service Unavailable";
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
            return request.ToString();
        });

        var exit = await RunHealthCheckAsync(port);

        Assert.Equal(expectedExit, exit);
        Assert.StartsWith("GET /readyz HTTP/1.0\r\n", await serving, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_check_must_fail_when_nothing_listens()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        Assert.NotEqual(0, await RunHealthCheckAsync(port));
    }

    /// <summary>Runs the host stage's HEALTHCHECK command, as Docker would (exec form), against another port.</summary>
    private static async Task<int> RunHealthCheckAsync(int port)
    {
        var healthcheck = Stage(HostDockerfile, "host").Single(i => i.Keyword == "HEALTHCHECK").Arguments;
        var json = healthcheck[healthcheck.IndexOf("CMD [", StringComparison.Ordinal)..][4..];
        var command = JsonSerializer.Deserialize<string[]>(json)!;
        Assert.Contains("/dev/tcp/127.0.0.1/8080", command[^1], StringComparison.Ordinal);
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg.Replace("/8080", "/" + port, StringComparison.Ordinal));
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._/-]*:[0-9][A-Za-z0-9._-]*$")]
    private static partial Regex PinnedImage();
}
