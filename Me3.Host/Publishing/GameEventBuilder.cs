using System.Globalization;
using System.Text.Json;

namespace Me3.Host.Publishing;

/// <summary>
/// Builds the event the reference game API sent: the request's headers, its parameters, <c>event_type</c>, a fresh
/// 32-hex <c>event_id</c> and a UTC ISO-8601 <c>timestamp</c> (milliseconds), as one JSON object.
/// <c>Authorization</c>, <c>Cookie</c> and <c>Proxy-Authorization</c> headers (any case) are left out: credentials do not
/// belong in an analytics lake.
/// </summary>
public static class GameEventBuilder
{
    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase) { "Authorization", "Cookie", "Proxy-Authorization" };

    /// <summary>Builds the event's UTF-8 JSON.</summary>
    /// <param name="headers">The request headers.</param>
    /// <param name="parameters">The request parameters.</param>
    /// <param name="eventType">The event type.</param>
    /// <param name="now">The time.</param>
    /// <returns>The JSON bytes.</returns>
    public static byte[] Build(IHeaderDictionary headers, IEnumerable<KeyValuePair<string, string>> parameters, string eventType, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(parameters);
        using var buffer = new MemoryStream(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (name, values) in headers)
            {
                if (!SecretHeaders.Contains(name))
                {
                    json.WriteString(name, values.ToString());
                }
            }

            foreach (var (name, value) in parameters)
            {
                json.WriteString(name, value);
            }

            json.WriteString("event_type", eventType);
            json.WriteString("event_id", Guid.NewGuid().ToString("N"));
            json.WriteString("timestamp", now.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
