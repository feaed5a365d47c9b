using System.Text;
using Me3.Streams.Events;

namespace Me3.Tests.Support;

public static class Records
{
    public static readonly DateTime SourceTime = new(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc);

    public static SourceRecord Json(string json, long offset = 0, int partition = 0, string source = "events") =>
        new(source, partition, offset, SourceTime, Encoding.UTF8.GetBytes(json));

    public static SourceRecord Bytes(byte[] bytes, long offset = 0) => new("events", 0, offset, SourceTime, bytes);

    public static string Purchase(string user, string sword, string? timestamp = "2026-11-21T10:00:00.123Z") =>
        $$"""{"Host":"user1.comcast.com","User-Agent":"ApacheBench/2.3","Accept":"*/*","event_type":"purchase_sword","user_name":"{{user}}","sword_name":"{{sword}}","event_id":"0123456789abcdef0123456789abcdef"{{(timestamp is null ? "" : $",\"timestamp\":\"{timestamp}\"")}}}""";
}
