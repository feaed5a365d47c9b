namespace Me3.Tests.Support;

/// <summary>A fresh lake directory under the temp folder, deleted afterwards.</summary>
public sealed class TempLake : IDisposable
{
    public TempLake()
    {
        Root = Path.Combine(Path.GetTempPath(), "me3-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Lake => Path.Combine(Root, "lake");

    public string File(string name) => Path.Combine(Root, name);

    public string WriteLines(string name, IEnumerable<string> lines)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    public IReadOnlyList<string> ParquetFiles(string table) =>
        Directory.Exists(Path.Combine(Lake, table))
            ? Directory.GetFiles(Path.Combine(Lake, table), "*.parquet", SearchOption.AllDirectories).Order().ToArray()
            : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
