using System.Globalization;

namespace Me3.Streams.Query;

/// <summary>The answers as sentences, the way the reference notebook says them; the same words in the CLI, the
/// report, the demo and the dashboard.</summary>
public static class AnswerText
{
    /// <summary>"The most popular sword is needle. It was purchased 174 times."</summary>
    /// <param name="swords">Purchases per sword.</param>
    /// <returns>The sentence.</returns>
    public static string MostPopularSword(Ranking swords)
    {
        ArgumentNullException.ThrowIfNull(swords);
        var leaders = swords.Leaders;
        return leaders.Count switch
        {
            0 => "No sword has been purchased yet.",
            1 => $"The most popular sword is {Name(leaders[0].Value)}. It was purchased {Times(leaders[0].Count)}.",
            _ => $"The most popular swords are {List(leaders)}, tied at {Times(leaders[0].Count)} each.",
        };
    }

    /// <summary>"The top buyer is player_0001, with 57 sword purchases."</summary>
    /// <param name="buyers">Purchases per player.</param>
    /// <returns>The sentence.</returns>
    public static string TopBuyer(Ranking buyers)
    {
        ArgumentNullException.ThrowIfNull(buyers);
        var leaders = buyers.Leaders;
        return leaders.Count switch
        {
            0 => "Nobody has purchased a sword yet.",
            1 => $"The top buyer is {Name(leaders[0].Value)}, with {Purchases(leaders[0].Count)}.",
            _ => $"The top buyers are {List(leaders)}, tied at {Purchases(leaders[0].Count)} each.",
        };
    }

    /// <summary>"iOS leads Android: 612 events (58.1%) against 420 events (39.9%); other user agents: 21 events (2.0%) (purchases and guild joins)."</summary>
    /// <param name="platforms">Events per platform.</param>
    /// <returns>The sentence.</returns>
    public static string Platforms(PlatformSplit platforms)
    {
        ArgumentNullException.ThrowIfNull(platforms);
        if (platforms.Total == 0)
        {
            return "No purchases or guild joins yet, so no platform to count.";
        }

        var lead = platforms.Ios == platforms.Android
            ? $"iOS and Android are even, with {Events(platforms.Ios)} each"
            : platforms.Ios > platforms.Android
                ? $"iOS leads Android: {Events(platforms.Ios)} ({Share(platforms.Ios, platforms.Total)}) against {Events(platforms.Android)} ({Share(platforms.Android, platforms.Total)})"
                : $"Android leads iOS: {Events(platforms.Android)} ({Share(platforms.Android, platforms.Total)}) against {Events(platforms.Ios)} ({Share(platforms.Ios, platforms.Total)})";
        var rest = platforms.ByPlatform.Where(p => p.Value is not ("ios" or "android")).ToArray();
        var tail = rest.Length == 0
            ? ""
            : "; " + string.Join(", ", rest.Select(p => $"{PlatformName(p.Value)}: {Events(p.Count)} ({Share(p.Count, platforms.Total)})"));
        return $"{lead}{tail} (purchases and guild joins).";
    }

    /// <summary>How a platform is written: iOS, Android, "other user agents", or the name as given.</summary>
    /// <param name="platform">The platform, lower case.</param>
    /// <returns>Its display name.</returns>
    public static string PlatformName(string? platform) => platform switch
    {
        "ios" => "iOS",
        "android" => "Android",
        PlatformSplit.Other or null => "other user agents",
        _ => platform,
    };

    /// <summary>A value for display: <c>(none)</c> for events that lack it.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The display text.</returns>
    public static string Name(string? value) => value ?? "(none)";

    private static string List(IReadOnlyList<CountedValue> values) =>
        values.Count == 2
            ? $"{Name(values[0].Value)} and {Name(values[1].Value)}"
            : string.Join(", ", values.Take(values.Count - 1).Select(v => Name(v.Value))) + " and " + Name(values[^1].Value);

    private static string Times(long n) => n == 1 ? "once" : string.Create(CultureInfo.InvariantCulture, $"{n:N0} times");

    private static string Purchases(long n) => n == 1 ? "1 sword purchase" : string.Create(CultureInfo.InvariantCulture, $"{n:N0} sword purchases");

    private static string Events(long n) => n == 1 ? "1 event" : string.Create(CultureInfo.InvariantCulture, $"{n:N0} events");

    private static string Share(long part, long total) => string.Create(CultureInfo.InvariantCulture, $"{100.0 * part / total:F1}%");
}
