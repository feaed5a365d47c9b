using System.Globalization;
using System.Text.Json;

namespace Me3.Samples.Generation;

/// <summary>One player action: which endpoint of the game API it calls, with which parameters and device.</summary>
/// <param name="Sequence">Its number in the generated sequence; sets its time in files.</param>
/// <param name="EventType">The event type: <c>purchase_sword</c>, <c>join_guild</c> or <c>default</c>.</param>
/// <param name="UserName">The player, or null for a <c>default</c> request.</param>
/// <param name="SwordName">The sword bought, for purchases.</param>
/// <param name="GuildName">The guild joined, for joins.</param>
/// <param name="UserAgent">The device: <c>ME3_ios/1.0</c>, <c>ME3_ios/1.1</c>, <c>ME3_android/2.0</c> or <c>ME3_android/2.1</c>.</param>
/// <param name="Host">The player's host name.</param>
public sealed record GameAction(long Sequence, string EventType, string? UserName, string? SwordName, string? GuildName, string UserAgent, string Host)
{
    /// <summary>The game API path that records this action.</summary>
    public string Path => EventType switch
    {
        "purchase_sword" => "/purchase_a_sword",
        "join_guild" => "/join_guild",
        _ => "/",
    };

    /// <summary>The query string of the game API request (empty for <c>default</c>).</summary>
    public string Query =>
        EventType switch
        {
            "purchase_sword" => $"?user_name={Uri.EscapeDataString(UserName!)}&sword_name={Uri.EscapeDataString(SwordName!)}",
            "join_guild" => $"?user_name={Uri.EscapeDataString(UserName!)}&guild_name={Uri.EscapeDataString(GuildName!)}",
            _ => "",
        };
}

/// <summary>
/// Makes Mid-EVIL III player actions, and events shaped like the game API's: request headers (Host, User-Agent,
/// Accept, …), the action's parameters, <c>event_type</c>, a 32-hex <c>event_id</c> and a UTC ISO-8601
/// <c>timestamp</c>. The same seed gives the same actions in the same order. About 72% sword purchases, 25% guild
/// joins and 3% requests to the default endpoint (which land in <c>other_events</c>); players follow a skewed
/// distribution, so a few buy a lot and one sword is clearly the favourite; devices are the game's iOS and Android
/// builds.
/// </summary>
public sealed class GameEventGenerator
{
    /// <summary>The swords on sale, most popular first.</summary>
    public static readonly IReadOnlyList<string> Swords = ["needle", "excalibur", "durendal", "katana", "claymore", "rapier", "scimitar", "zweihander"];

    /// <summary>The guilds.</summary>
    public static readonly IReadOnlyList<string> Guilds = ["knights_of_ni", "dragon_slayers", "iron_fist", "shadow_council", "silver_hand", "crimson_tide"];

    /// <summary>The game's builds, as their user agents.</summary>
    public static readonly IReadOnlyList<string> UserAgents = ["ME3_ios/1.0", "ME3_ios/1.1", "ME3_android/2.0", "ME3_android/2.1"];

    private static readonly string[] Hosts = ["user1.comcast.com", "user2.att.com", "user3.verizon.net", "gamer.spectrum.net"];

    private readonly Random _random;
    private readonly DateTime _start;
    private readonly int _users;
    private long _next;

    /// <summary>Creates a generator.</summary>
    /// <param name="seed">The random seed.</param>
    /// <param name="start">The first event's time (UTC) in files; events are about 50 ms apart.</param>
    /// <param name="users">How many distinct players.</param>
    public GameEventGenerator(int seed = 42, DateTime? start = null, int users = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(users);
        _random = new Random(seed);
        _start = start ?? new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        _users = users;
    }

    /// <summary>The next action of the sequence.</summary>
    /// <returns>The action.</returns>
    public GameAction NextAction()
    {
        var roll = _random.Next(100);
        var eventType = roll < 72 ? "purchase_sword" : roll < 97 ? "join_guild" : "default";

        // iOS a little ahead of Android; within each, the newer build more common.
        var device = _random.Next(100);
        var agent = UserAgents[device < 20 ? 0 : device < 55 ? 1 : device < 70 ? 2 : 3];
        var host = Hosts[_random.Next(Hosts.Length)];

        // Skewed: low player numbers are much more likely, so there is a clear top buyer.
        var user = eventType == "default" ? null : $"player_{(int)(_users * Math.Pow(_random.NextDouble(), 3)):D4}";
        var sword = eventType == "purchase_sword" ? Swords[(int)(Swords.Count * Math.Pow(_random.NextDouble(), 2))] : null;
        var guild = eventType == "join_guild" ? Guilds[_random.Next(Guilds.Count)] : null;
        return new GameAction(_next++, eventType, user, sword, guild, agent, host);
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
            WriteEvent(json);
            json.Flush();
            output.WriteByte((byte)'\n');
            json.Reset(output);
        }
    }

    /// <summary>Writes the next action as the event the game API would publish for it.</summary>
    /// <param name="json">The writer.</param>
    public void WriteEvent(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var action = NextAction();
        json.WriteStartObject();
        json.WriteString("Host", action.Host);
        json.WriteString("User-Agent", action.UserAgent);
        json.WriteString("Accept", "*/*");
        json.WriteString("Accept-Encoding", "gzip, deflate, br");
        if (action.UserName is not null)
        {
            json.WriteString("user_name", action.UserName);
        }

        if (action.SwordName is not null)
        {
            json.WriteString("sword_name", action.SwordName);
        }

        if (action.GuildName is not null)
        {
            json.WriteString("guild_name", action.GuildName);
        }

        json.WriteString("event_type", action.EventType);
        Span<byte> id = stackalloc byte[16];
        _random.NextBytes(id);
        json.WriteString("event_id", Convert.ToHexStringLower(id));
        json.WriteString("timestamp", _start.AddMilliseconds(action.Sequence * 50 + _random.Next(50)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        json.WriteEndObject();
    }
}
