using Akka;
using Akka.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Files;
using Me3.Streams.Lake;

namespace Me3.Streams.Dsl;

/// <summary>Sources of records for the ingestion graph.</summary>
public static class Me3Source
{
    /// <summary>
    /// Reads a JSON-lines file: one record per line, partition 0, offset = 0-based line number.
    /// <para><b>Emits when</b> downstream pulls and a line is available.</para>
    /// <para><b>Backpressures when</b> downstream backpressures; the file is read on demand.</para>
    /// <para><b>Completes when</b> the whole file is read.</para>
    /// <para><b>Fails when</b> the file cannot be read (with a <see cref="Me3Exception"/> naming it).</para>
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="sourceName">
    /// The name its offsets are kept under in the lake (default: the file name, made safe). Re-running the same
    /// file into the same lake lands only lines not yet landed.
    /// </param>
    /// <returns>The source.</returns>
    /// <exception cref="Me3Exception"><paramref name="sourceName"/> is not a valid source name.</exception>
    public static Source<SourceRecord, NotUsed> JsonLines(string path, string? sourceName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var source = sourceName ?? LakeIdentifier.SourceFromFileName(Path.GetFileName(path));
        if (!LakeIdentifier.IsValidSource(source))
        {
            throw new Me3Exception($"Source name '{source}' is not valid: use 1 to 100 of [A-Za-z0-9._-], not starting with '.' or '_'.", file: path);
        }

        return Source.FromGraph(new JsonLinesSource(path, source));
    }
}
