using System.Buffers;
using Me3.Streams.Routing;

namespace Me3.Streams.Lake;

/// <summary>
/// Validates the names that become paths or SQL identifiers in the lake, so that no event content or
/// configuration typo can choose a file path.
/// </summary>
internal static class LakeIdentifier
{
    private static readonly SearchValues<char> SourceChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    /// <summary>True when <paramref name="name"/> is a table or column name: <c>[a-z][a-z0-9_]*</c>, at most 64 characters.</summary>
    /// <param name="name">The name to check.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsValidTableOrColumn(string? name) => TableSchema.IsValidName(name);

    /// <summary>Throws unless <paramref name="name"/> is a valid table or column name.</summary>
    /// <param name="name">The name to check.</param>
    /// <param name="what">What the name is for, for the message.</param>
    /// <exception cref="Me3Exception">The name is not <c>[a-z][a-z0-9_]*</c>.</exception>
    public static void RequireTableOrColumn(string? name, string what) => TableSchema.RequireName(name, what);

    /// <summary>
    /// True when <paramref name="name"/> is a valid source name (a Kafka topic name, or a file's source name):
    /// 1 to 100 of <c>[A-Za-z0-9._-]</c>, not starting with <c>.</c> or <c>_</c> (which would hide its files).
    /// </summary>
    /// <param name="name">The name to check.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsValidSource(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 100 && name[0] is not ('.' or '_') &&
        !name.AsSpan().ContainsAnyExcept(SourceChars);

    /// <summary>Makes a valid source name from a file name: keeps <c>[A-Za-z0-9._-]</c>, replaces the rest with <c>_</c>.</summary>
    /// <param name="fileName">The file name, without directory.</param>
    /// <returns>A name for which <see cref="IsValidSource"/> holds.</returns>
    public static string SourceFromFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var chars = fileName.Select(c => SourceChars.Contains(c) ? c : '_').Take(100).ToArray();
        var name = new string(chars);
        if (name.Length == 0 || name[0] is '.' or '_')
        {
            name = ("f" + name)[..Math.Min(100, name.Length + 1)];
        }

        return name;
    }
}
