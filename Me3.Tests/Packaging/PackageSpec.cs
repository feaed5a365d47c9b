using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Me3.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Me3.Tests.Packaging;

/// <summary>
/// The NuGet package as a user gets it: packed from the tested build, restored from a local folder feed (no network
/// source) into a new console app whose Program.cs is the package README's C# example, as written, then run.
/// It builds a project, so it takes tens of seconds; it is tagged so that a quick run can leave it out
/// (<c>--filter "Category!=Packaging"</c>).
/// </summary>
[Trait("Category", "Packaging")]
public sealed partial class PackageSpec(ITestOutputHelper output) : IDisposable
{
    private static readonly string Configuration =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static readonly string Readme = Repository.Path("Me3.Streams", "README.md");

    private readonly string _root = Directory.CreateTempSubdirectory("me3-package-").FullName;

    // A version of its own per run: the global packages folder keeps what it extracted under a version, so a fixed
    // one would restore the package of an earlier run.
    private readonly string _version = $"0.0.0-spec.g{Guid.NewGuid():N}";

    [Fact]
    public void The_package_must_carry_the_readme_license_symbols_and_only_the_library()
    {
        var (package, symbols) = Pack();

        using (var nupkg = ZipFile.OpenRead(package))
        {
            var entries = nupkg.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("README.md", entries);
            Assert.Contains("lib/net10.0/Me3.Streams.dll", entries);
            Assert.Contains("lib/net10.0/Me3.Streams.xml", entries);
            Assert.Equal(["lib/net10.0/Me3.Streams.dll"], entries.Where(e => e.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)));

            using (var readme = new StreamReader(nupkg.GetEntry("README.md")!.Open()))
            {
                Assert.Equal(File.ReadAllText(Readme), readme.ReadToEnd());
            }

            XNamespace ns = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";
            XElement metadata;
            using (var nuspec = nupkg.GetEntry("Me3.Streams.nuspec")!.Open())
            {
                metadata = XDocument.Load(nuspec).Root!.Element(ns + "metadata")!;
            }

            var license = metadata.Element(ns + "license")!;
            Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));
            Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);

            // SourceLink: the commit the package was built from (the URL too, when the clone has a remote).
            var repository = metadata.Element(ns + "repository")!;
            Assert.Equal("git", (string?)repository.Attribute("type"));
            Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? "");

            var dependencies = metadata.Descendants(ns + "dependency").Select(d => (string)d.Attribute("id")!).Order().ToList();
            Assert.Equal(["Akka.Hosting", "Akka.Streams", "Confluent.Kafka", "DuckDB.NET.Data.Full", "Parquet.Net", "ParquetSharp"], dependencies);
        }

        Assert.True(File.Exists(symbols), $"no symbol package next to {package}");
        using var snupkg = ZipFile.OpenRead(symbols);
        Assert.Contains("lib/net10.0/Me3.Streams.pdb", snupkg.Entries.Select(e => e.FullName));
    }

    [Fact]
    public void The_readme_example_must_compile_from_the_package_alone_and_land_a_file_in_the_lake()
    {
        var clock = Stopwatch.StartNew();
        var (package, _) = Pack();

        var app = Directory.CreateDirectory(Path.Combine(_root, "app")).FullName;
        File.WriteAllText(Path.Combine(app, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Path.GetDirectoryName(package)}" />
              </packageSources>
            </configuration>
            """);

        // Nothing of the repository's build settings reaches the app: it is built as a user's would be.
        File.WriteAllText(Path.Combine(app, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(app, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(app, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <NuGetAudit>false</NuGetAudit>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Me3.Streams" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        var blocks = CSharpBlocks(File.ReadAllText(Readme));
        File.WriteAllText(Path.Combine(app, "Program.cs"), blocks[0]);
        File.WriteAllText(Path.Combine(app, "Fragments.cs"), Fragments(blocks.Skip(1)));

        Run(app, "build", "-c", "Release", "-o", Path.Combine(app, "out"));
        output.WriteLine($"packed and built in {clock.Elapsed.TotalSeconds:F1} s");

        var work = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
        File.WriteAllLines(Path.Combine(work, "events.jsonl"),
        [
            """{"event_type":"purchase_sword","user_name":"alice","sword_name":"katana","timestamp":"2026-11-01T10:00:00Z"}""",
            """{"event_type":"purchase_sword","user_name":"bob","sword_name":"katana","timestamp":"2026-11-01T10:01:00Z"}""",
            """{"event_type":"purchase_sword","user_name":"carol","sword_name":"needle","timestamp":"2026-11-01T10:02:00Z"}""",
            """{"event_type":"join_guild","user_name":"bob","guild_name":"knights","timestamp":"2026-11-01T10:03:00Z"}""",
            """{"event_type":"open_chest","user_name":"dave","timestamp":"2026-11-01T10:04:00Z"}""",
            "not json",
        ]);

        var first = Run(work, Path.Combine(app, "out", "App.dll"));
        Assert.Contains("purchases: 3 rows landed in 1 files, 0 already in the lake", first, StringComparison.Ordinal);
        Assert.Contains("gjoins: 1 rows landed in 1 files, 0 already in the lake", first, StringComparison.Ordinal);
        Assert.Contains("other_events: 1 rows landed in 1 files, 0 already in the lake", first, StringComparison.Ordinal);
        Assert.Contains("dead_letters: 1 rows landed in 1 files, 0 already in the lake", first, StringComparison.Ordinal);
        Assert.Contains("katana was bought 2 times" + Environment.NewLine + "needle was bought 1 times", first, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(work, "lake", "purchases", "dt=2026-11-01"), "events.jsonl+0-*.parquet"));

        // Exactly once, as the README says: the second run finds every line in the lake and lands nothing.
        var second = Run(work, Path.Combine(app, "out", "App.dll"));
        Assert.Contains("purchases: 0 rows landed in 0 files, 3 already in the lake", second, StringComparison.Ordinal);
        Assert.Contains("katana was bought 2 times" + Environment.NewLine + "needle was bought 1 times", second, StringComparison.Ordinal);
        output.WriteLine($"done in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void The_readme_must_hold_one_complete_program_as_its_first_csharp_block_and_fragments_after_it()
    {
        var blocks = CSharpBlocks(File.ReadAllText(Readme));

        Assert.StartsWith("using ", blocks[0], StringComparison.Ordinal);
        Assert.Contains("Me3Source.JsonLines(", blocks[0], StringComparison.Ordinal);
        Assert.Contains(blocks.Skip(1), b => b.Contains("Me3Graph", StringComparison.Ordinal));
        Assert.Contains(blocks.Skip(1), b => b.Contains("WithMe3Ingestion", StringComparison.Ordinal));
        Assert.All(blocks.Skip(1), b => Assert.DoesNotContain("using ", b, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
            var extracted = Path.Combine(GlobalPackages(), "me3.streams", _version);
            if (Directory.Exists(extracted))
            {
                Directory.Delete(extracted, recursive: true);
            }
        }
        catch (IOException e)
        {
            output.WriteLine($"cleanup: {e.Message}");
        }
    }

    /// <summary>The <c>```csharp</c> blocks of a Markdown text, as written.</summary>
    private static List<string> CSharpBlocks(string markdown)
    {
        var blocks = CSharpBlock().Matches(markdown).Select(m => m.Groups["code"].Value).ToList();
        Assert.True(blocks.Count > 0, "the README has no ```csharp block");
        return blocks;
    }

    /// <summary>
    /// The README's later C# blocks, each the body of a method that is compiled, never run: they go on from the
    /// program (its <c>system</c> and <c>lake</c>) or stand in a host's set-up (<c>builder</c>).
    /// </summary>
    private static string Fragments(IEnumerable<string> blocks)
    {
        var code = new StringBuilder("""
            using Akka.Actor;
            using Akka.Hosting;
            using Akka.Streams;
            using Me3.Streams.Dsl;
            using Me3.Streams.Hosting;
            using Me3.Streams.Lake;
            using Me3.Streams.Query;
            using Me3.Streams.Settings;
            using Microsoft.Extensions.Hosting;

            internal static class Fragments
            {

            """);
        var n = 0;
        foreach (var block in blocks)
        {
            code.Append(CultureInfo.InvariantCulture, $"    internal static async Task Fragment{++n}(ActorSystem system, LakeSettings lake, IHostApplicationBuilder builder)\n    {{\n")
                .Append(block).Append("        await Task.CompletedTask;\n    }\n\n");
        }

        return code.Append("}\n").ToString();
    }

    [GeneratedRegex(@"^```csharp\r?\n(?<code>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();

    private static string GlobalPackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Packs the library as the tests built it (same configuration, no rebuild) into a folder feed.</summary>
    private (string Package, string Symbols) Pack()
    {
        var feed = Directory.CreateDirectory(Path.Combine(_root, "feed")).FullName;
        Run(Repository.Root, "pack", Repository.Path("Me3.Streams", "Me3.Streams.csproj"), "-c", Configuration, "--no-build",
            "-o", feed, $"-p:PackageVersion={_version}");
        return (Path.Combine(feed, $"Me3.Streams.{_version}.nupkg"), Path.Combine(feed, $"Me3.Streams.{_version}.snupkg"));
    }

    /// <summary>Runs the dotnet CLI (a command, or an app's dll) and returns its output; fails with it on a non-zero exit.</summary>
    private string Run(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (args[0] is "build" or "pack")
        {
            // No compiler server or build node outlives the command.
            start.ArgumentList.Add("--disable-build-servers");
            start.ArgumentList.Add("-nodeReuse:false");
        }

        // The test runner's own MSBuild settings would steer the child build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        // Any download attempt fails: the sources are a local folder, and the network is a closed port.
        foreach (var proxy in new[] { "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" })
        {
            start.Environment[proxy] = "http://127.0.0.1:9";
        }

        start.Environment.Remove("no_proxy");
        start.Environment.Remove("NO_PROXY");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', args)} did not finish within 5 minutes");
        }

        process.WaitForExit();
        var text = new StringBuilder().Append(stdout.Result).Append(stderr.Result).ToString();
        output.WriteLine($"$ dotnet {string.Join(' ', args)}{Environment.NewLine}{text}");
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {process.ExitCode}:{Environment.NewLine}{text}");
        return text;
    }
}
