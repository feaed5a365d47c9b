using System.Diagnostics;
using System.Text;

namespace Me3.Tests.Host;

/// <summary>Me3.Host run from its own build output as a process, as an operator runs it.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the host on <paramref name="urls"/> over a lake, its ingestion off, and waits until it answers.</summary>
    public static async Task<HostProcess> StartAsync(string lake, string urls, Dictionary<string, string> environment)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var repository = testOutput.Parent!.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(repository, "Me3.Host", "bin", testOutput.Parent.Name, testOutput.Name, "Me3.Host.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        foreach (var arg in new[] { dll, "--urls", urls })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["Me3__Lake__Path"] = lake;
        start.Environment["Me3__Ingest__Enabled"] = "false";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var host = new HostProcess(Process.Start(start)!);
        var health = new Uri(urls.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/healthz");
        using var client = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await client.GetAsync(health)).IsSuccessStatusCode)
                {
                    return host;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !host._process.HasExited)
            {
            }

            if (DateTime.UtcNow >= deadline || host._process.HasExited)
            {
                await host.DisposeAsync();
                throw new InvalidOperationException($"Me3.Host did not start: {host.Output}");
            }

            await Task.Delay(100);
        }
    }

    public async Task WaitForOutputAsync(string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Output.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
