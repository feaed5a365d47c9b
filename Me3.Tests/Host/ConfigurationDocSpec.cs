using System.Reflection;
using Me3.Host.Configuration;
using Xunit;

namespace Me3.Tests.Host;

/// <summary>docs/configuration.md lists every setting of the host, so the reference cannot fall behind the code.</summary>
public sealed class ConfigurationDocSpec
{
    public static TheoryData<string, string> Settings()
    {
        var data = new TheoryData<string, string>();
        foreach (var section in typeof(Me3Options).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            foreach (var setting in section.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                data.Add(section.Name, setting.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Every_setting_must_be_in_the_configuration_reference_with_its_environment_variable(string section, string setting)
    {
        var doc = File.ReadAllText(Path.Combine(Repository(), "docs", "configuration.md"));

        Assert.Contains($"| `{Me3Options.Section}:{section}:{setting}` | `{Me3Options.Section}__{section}__{setting}` |", doc, StringComparison.Ordinal);
    }

    private static string Repository()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Me3.Streams.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root (Me3.Streams.sln) is not above the test output.");
    }
}
