using System.Diagnostics;
using System.Text.Json;
using Me3.Tests.Support;

namespace Me3.Tests.Deployment;

/// <summary>docker/docker-compose.yml as docker-compose itself reads it: validated, interpolated with the defaults,
/// anchors merged (<c>docker-compose config</c>), then as JSON.</summary>
public static class ComposeFile
{
    public static readonly string Path = Repository.Path("docker", "docker-compose.yml");

    /// <summary>docker-compose on PATH, or null.</summary>
    public static string? Tool { get; } = (System.Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => System.IO.Path.Combine(dir, "docker-compose"))
        .FirstOrDefault(File.Exists);

    private static readonly Lazy<JsonElement> Normalized = new(Load);

    /// <summary>The normalized compose model (<c>services</c>, <c>volumes</c>…).</summary>
    public static JsonElement Model => Normalized.Value;

    public static JsonElement Service(string name) =>
        Model.GetProperty("services").TryGetProperty(name, out var service) ? service : throw new InvalidOperationException($"the compose file has no service '{name}'");

    /// <summary>A service's environment as a dictionary (compose writes it as a map once normalized).</summary>
    public static Dictionary<string, string> Environment(string service) =>
        Service(service).TryGetProperty("environment", out var env)
            ? env.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())
            : [];

    public static string[] Strings(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? [.. element.EnumerateArray().Select(e => e.GetString()!)] : [element.GetString()!];

    /// <summary>Runs docker-compose on the file with <paramref name="args"/>; returns exit code, stdout, stderr.</summary>
    public static (int Exit, string Out, string Error) Run(params string[] args)
    {
        var start = new ProcessStartInfo(Tool ?? throw new InvalidOperationException("docker-compose is not on PATH"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        foreach (var arg in new[] { "-f", Path }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        // No settings from the caller's environment: the file's own defaults are what is checked.
        foreach (var name in new[] { "ME3_API_PORT", "ME3_ANALYTICS_PORT", "TRINO_PORT", "METASTORE_DB_PASSWORD", "PARTITION_SYNC_SECONDS", "COMPOSE_FILE", "COMPOSE_PROJECT_NAME" })
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"docker-compose {string.Join(' ', args)} did not finish within 60 s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static JsonElement Load()
    {
        // Compose v2 writes JSON itself; Debian's v1 writes YAML only, and brings Python's yaml module along.
        var (exit, json, _) = Run("config", "--format", "json");
        if (exit != 0 || !json.TrimStart().StartsWith('{'))
        {
            var (yamlExit, yaml, error) = Run("config");
            if (yamlExit != 0)
            {
                throw new InvalidOperationException($"docker-compose config failed ({yamlExit}): {error}");
            }

            json = ToJson(yaml);
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string ToJson(string yaml)
    {
        var start = new ProcessStartInfo("python3", ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var python = Process.Start(start)!;
        python.StandardInput.Write(yaml);
        python.StandardInput.Close();
        var json = python.StandardOutput.ReadToEndAsync();
        var error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        return python.ExitCode == 0 ? json.Result : throw new InvalidOperationException($"python3 could not read docker-compose's YAML: {error}");
    }
}
