namespace Me3.Tests.Support;

/// <summary>Files of this repository, found from the tests' build output (Me3.Tests/bin/{configuration}/{tfm}/).</summary>
public static class Repository
{
    public static string Root { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar)).Parent!.Parent!.Parent!.Parent!.FullName;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
