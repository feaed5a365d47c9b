using System.Globalization;
using System.Text;

namespace Me3.Streams.Lake;

/// <summary>
/// Names of lake files. A landed file's name says which source offsets it holds, so that the lake itself
/// is the recovery state: <c>{source}+{partition}-{first}-{last}[+{partition}-{first}-{last}…].parquet</c>
/// (Kafka topic names cannot contain <c>+</c>). Files being written are hidden: <c>.{final name}.{id}.tmp</c>.
/// </summary>
internal static class LakeFileName
{
    /// <summary>The extension of landed files.</summary>
    public const string Extension = ".parquet";

    /// <summary>The extension of files being written.</summary>
    public const string TempExtension = ".tmp";

    /// <summary>Names stay below this length so that every file system takes them.</summary>
    public const int MaxLength = 200;

    /// <summary>The name of a landed file holding the given ranges of one source.</summary>
    /// <param name="source">The source name.</param>
    /// <param name="ranges">The ranges, one per partition.</param>
    /// <returns>The file name, without directory.</returns>
    public static string Format(string source, IEnumerable<OffsetRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var name = new StringBuilder(source);
        foreach (var r in ranges.OrderBy(r => r.Partition))
        {
            name.Append(CultureInfo.InvariantCulture, $"+{r.Partition}-{r.First}-{r.Last}");
        }

        return name.Append(Extension).ToString();
    }

    /// <summary>The hidden name a file is written under before it is renamed to <paramref name="finalName"/>.</summary>
    /// <param name="finalName">The landed name.</param>
    /// <param name="writeId">A unique id of the write.</param>
    /// <returns>The temporary name.</returns>
    public static string Temp(string finalName, string writeId) => $".{finalName}.{writeId}{TempExtension}";

    /// <summary>Whether <paramref name="fileName"/> is a temporary file of <paramref name="source"/>.</summary>
    /// <param name="fileName">A file name, without directory.</param>
    /// <param name="source">The source name.</param>
    /// <returns>True for a leftover of an interrupted write of that source.</returns>
    public static bool IsTempOf(string fileName, string source) =>
        fileName.Length > source.Length + 2 && fileName[0] == '.' &&
        fileName.AsSpan(1).StartsWith(source, StringComparison.Ordinal) && fileName[source.Length + 1] == '+' &&
        fileName.EndsWith(TempExtension, StringComparison.Ordinal);

    /// <summary>Reads the ranges of a landed file of <paramref name="source"/>.</summary>
    /// <param name="fileName">A file name, without directory.</param>
    /// <param name="source">The source name.</param>
    /// <param name="ranges">The ranges, when it is such a file.</param>
    /// <returns>False for files of other sources, temporary files and foreign files.</returns>
    public static bool TryParse(string fileName, string source, out IReadOnlyList<OffsetRange> ranges)
    {
        ranges = [];
        if (!fileName.EndsWith(Extension, StringComparison.Ordinal) ||
            fileName.Length <= source.Length + 1 ||
            !fileName.StartsWith(source, StringComparison.Ordinal) || fileName[source.Length] != '+')
        {
            return false;
        }

        var body = fileName.AsSpan(source.Length + 1, fileName.Length - source.Length - 1 - Extension.Length);
        var list = new List<OffsetRange>();
        foreach (var part in body.Split('+'))
        {
            var text = body[part];
            var d1 = text.IndexOf('-');
            var d2 = d1 < 0 ? -1 : text[(d1 + 1)..].IndexOf('-') + d1 + 1;
            if (d1 <= 0 || d2 <= d1 ||
                !int.TryParse(text[..d1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ||
                !long.TryParse(text[(d1 + 1)..d2], NumberStyles.None, CultureInfo.InvariantCulture, out var first) ||
                !long.TryParse(text[(d2 + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var last) ||
                last < first)
            {
                return false;
            }

            list.Add(new OffsetRange(p, first, last));
        }

        ranges = list;
        return list.Count > 0;
    }

    /// <summary>Reads the ranges of a temporary file of <paramref name="source"/> from the final name inside it.</summary>
    /// <param name="fileName">A temporary file name, without directory.</param>
    /// <param name="source">The source name.</param>
    /// <param name="ranges">The ranges it would hold.</param>
    /// <returns>False when it is not such a file.</returns>
    public static bool TryParseTemp(string fileName, string source, out IReadOnlyList<OffsetRange> ranges)
    {
        ranges = [];
        if (!IsTempOf(fileName, source))
        {
            return false;
        }

        var end = fileName.LastIndexOf(Extension + ".", StringComparison.Ordinal);
        return end > 0 && TryParse(fileName[1..(end + Extension.Length)], source, out ranges);
    }
}
