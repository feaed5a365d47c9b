using System.Buffers;
using System.Text.Json;

namespace Me3.Streams.Query.Trino.Server;

/// <summary>What one page of a query says.</summary>
/// <param name="Id">The query's id.</param>
/// <param name="InfoUri">Where a browser would see the query (Trino's clients require the field).</param>
/// <param name="State">Where the query is.</param>
/// <param name="Next">The next page's address; null on the last page.</param>
/// <param name="Columns">The columns, once known (and unless the query failed).</param>
/// <param name="Types">The columns' types, parsed, when known.</param>
/// <param name="Data">The rows, already a JSON array.</param>
/// <param name="Rows">How many rows <paramref name="Data"/> holds.</param>
/// <param name="Error">Why the query failed.</param>
/// <param name="UpdateType">What a statement that is not a query did (<c>USE</c>).</param>
/// <param name="ElapsedMilliseconds">Time since submission.</param>
/// <param name="RowsSent">Rows sent so far.</param>
internal readonly record struct TrinoPage(
    string Id,
    Uri InfoUri,
    TrinoQueryState State,
    Uri? Next,
    IReadOnlyList<QueryColumn>? Columns,
    IReadOnlyList<TrinoType>? Types,
    ReadOnlyMemory<byte> Data,
    int Rows,
    QueryException? Error,
    string? UpdateType,
    long ElapsedMilliseconds,
    long RowsSent);

/// <summary>Writes a page as the protocol's <c>QueryResults</c> JSON: the fields and shapes Trino's CLI, JDBC driver
/// and Python client read (<c>columns</c> with <c>typeSignature</c> on every page once known, <c>stats</c> with every
/// counter, <c>error</c> with <c>errorLocation</c> and <c>failureInfo</c>).</summary>
internal static class TrinoPageWriter
{
    public static ReadOnlyMemory<byte> Write(in TrinoPage page)
    {
        var body = new ArrayBufferWriter<byte>(page.Rows == 0 ? 1024 : page.Data.Length + 2048);
        using var writer = new Utf8JsonWriter(body);
        writer.WriteStartObject();
        writer.WriteString("id", page.Id);
        writer.WriteString("infoUri", page.InfoUri.AbsoluteUri);
        if (page.Next is { } next)
        {
            writer.WriteString("nextUri", next.AbsoluteUri);
        }

        if (page.Columns is { } columns)
        {
            writer.WriteStartArray("columns");
            for (var i = 0; i < columns.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("name", columns[i].Name);
                writer.WriteString("type", columns[i].Type);
                writer.WritePropertyName("typeSignature");
                (page.Types is { } types ? types[i] : TrinoType.Parse(columns[i].Type)).WriteSignature(writer);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
        else if (page.UpdateType is not null)
        {
            writer.WriteStartArray("columns");
            writer.WriteEndArray();
        }

        if (page.Rows > 0)
        {
            writer.WritePropertyName("data");
            writer.WriteRawValue(page.Data.Span, skipInputValidation: true);
        }

        WriteStats(writer, page);
        if (page.Error is { } error)
        {
            WriteError(writer, error);
        }

        writer.WriteStartArray("warnings");
        writer.WriteEndArray();
        if (page.UpdateType is { } updateType)
        {
            writer.WriteString("updateType", updateType);
        }

        writer.WriteEndObject();
        writer.Flush();
        return body.WrittenMemory;
    }

    private static void WriteStats(Utf8JsonWriter writer, in TrinoPage page)
    {
        var state = page.State;
        var elapsed = page.ElapsedMilliseconds;
        var queued = state == TrinoQueryState.Queued;
        writer.WriteStartObject("stats");
        writer.WriteString("state", state.ToString().ToUpperInvariant());
        writer.WriteBoolean("queued", queued);
        writer.WriteBoolean("scheduled", !queued);
        writer.WriteNumber("nodes", queued ? 0 : 1);
        writer.WriteNumber("totalSplits", queued ? 0 : 1);
        writer.WriteNumber("queuedSplits", 0);
        writer.WriteNumber("runningSplits", state == TrinoQueryState.Running ? 1 : 0);
        writer.WriteNumber("completedSplits", state == TrinoQueryState.Finished ? 1 : 0);
        writer.WriteNumber("cpuTimeMillis", 0);
        writer.WriteNumber("wallTimeMillis", queued ? 0 : elapsed);
        writer.WriteNumber("queuedTimeMillis", queued ? elapsed : 0);
        writer.WriteNumber("elapsedTimeMillis", elapsed);
        writer.WriteNumber("processedRows", page.RowsSent);
        writer.WriteNumber("processedBytes", 0);
        writer.WriteNumber("physicalInputBytes", 0);
        writer.WriteNumber("physicalWrittenBytes", 0);
        writer.WriteNumber("peakMemoryBytes", 0);
        writer.WriteNumber("spilledBytes", 0);
        if (state == TrinoQueryState.Finished)
        {
            writer.WriteNumber("progressPercentage", 100.0);
        }

        writer.WriteEndObject();
    }

    private static void WriteError(Utf8JsonWriter writer, QueryException error)
    {
        writer.WriteStartObject("error");
        writer.WriteString("message", error.Message);
        writer.WriteNumber("errorCode", error.ErrorCode);
        writer.WriteString("errorName", error.ErrorName);
        writer.WriteString("errorType", error.ErrorType);
        if (error.Line is { } line)
        {
            writer.WriteStartObject("errorLocation");
            writer.WriteNumber("lineNumber", line);
            writer.WriteNumber("columnNumber", error.Column ?? 1);
            writer.WriteEndObject();
        }

        writer.WriteStartObject("failureInfo");
        writer.WriteString("type", "io.trino.spi.TrinoException");
        writer.WriteString("message", error.Message);
        writer.WriteStartArray("suppressed");
        writer.WriteEndArray();
        writer.WriteStartArray("stack");
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
