using System.Text.Json;

namespace Me3.Samples.Generation;

/// <summary>
/// Makes Mid-EVIL III events shaped like the game API's: request headers (Host, User-Agent, Accept, …), the
/// event's parameters, <c>event_type</c>, a 32-hex <c>event_id</c> and a UTC ISO-8601 <c>timestamp</c>. The same
/// seed gives the same events. About 60% sword purchases, 30% guild joins, 10% default requests; users follow a
/// skewed distribution, so a few buy a lot; devices are iOS and Android phones.
/// </summary>
public sealed class GameEventGenerator
{
    private static readonly string[] Swords = ["longsword", "claymore", "katana", "rapier", "scimitar", "broadsword", "sabre", "falchion"];
    private static readonly string[] Guilds = ["knights_of_ni", "dragon_slayers", "iron_fist", "shadow_council", "silver_hand", "crimson_tide"];
    private static readonly string[] Hosts = ["user1.comcast.com", "user2.att.com", "user3.verizon.net", "gamer.spectrum.net"];
    private static readonly string[] Agents =
    [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) MidEvil3/3.2.1 Mobile/15E148",
        "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) MidEvil3/3.2.0 Mobile/15E148",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) MidEvil3/3.2.1 Chrome/124.0 Mobile",
        "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) MidEvil3/3.1.9 Chrome/122.0 Mobile",
    ];

    private readonly Random _random;
    private readonly DateTime _start;
    private readonly int _users;

    /// <summary>Creates a generator.</summary>
    /// <param name="seed">The random seed.</param>
    /// <param name="start">The first event's time (UTC); events are about 50 ms apart.</param>
    /// <param name="users">How many distinct players.</param>
    public GameEventGenerator(int seed = 42, DateTime? start = null, int users = 1000)
    {
        _random = new Random(seed);
        _start = start ?? new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        _users = users;
    }

    /// <summary>Writes <paramref name="count"/> events, one JSON object per line.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="count">How many events.</param>
    public void WriteJsonLines(Stream output, long count)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        for (long i = 0; i < count; i++)
        {
            WriteEvent(json, i);
            json.Flush();
            output.WriteByte((byte)'\n');
            json.Reset(output);
        }
    }

    /// <summary>Writes one event.</summary>
    /// <param name="json">The writer.</param>
    /// <param name="sequence">The event's number, which sets its time.</param>
    public void WriteEvent(Utf8JsonWriter json, long sequence)
    {
        ArgumentNullException.ThrowIfNull(json);
        var roll = _random.Next(100);
        var eventType = roll < 60 ? "purchase_sword" : roll < 90 ? "join_guild" : "default";
        var agent = Agents[_random.Next(Agents.Length)];
        json.WriteStartObject();
        json.WriteString("Host", Hosts[_random.Next(Hosts.Length)]);
        json.WriteString("User-Agent", agent);
        json.WriteString("Accept", "*/*");
        json.WriteString("Accept-Encoding", "gzip, deflate, br");
        json.WriteString("event_type", eventType);
        if (eventType != "default")
        {
            // Skewed: low user numbers are much more likely, so there is a clear top buyer.
            var user = (int)(_users * Math.Pow(_random.NextDouble(), 3));
            json.WriteString("user_name", $"player_{user:D4}");
        }

        if (eventType == "purchase_sword")
        {
            json.WriteString("sword_name", Swords[(int)(Swords.Length * Math.Pow(_random.NextDouble(), 2))]);
        }
        else if (eventType == "join_guild")
        {
            json.WriteString("guild_name", Guilds[_random.Next(Guilds.Length)]);
        }

        Span<byte> id = stackalloc byte[16];
        _random.NextBytes(id);
        json.WriteString("event_id", Convert.ToHexStringLower(id));
        json.WriteString("timestamp", _start.AddMilliseconds(sequence * 50 + _random.Next(50)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteEndObject();
    }
}
