namespace Me3.Streams.Settings;

/// <summary>
/// How events are routed to lake tables. Immutable; change it with the <c>With*</c> methods.
/// </summary>
public sealed record RoutingSettings
{
    /// <summary>The text columns of the default routes' tables, in table order.</summary>
    public static readonly IReadOnlyList<string> PurchaseColumns =
        ["accept", "host", "user_agent", "event_type", "user_name", "sword_name", "event_id"];

    /// <summary>The text columns of <c>gjoins</c>.</summary>
    public static readonly IReadOnlyList<string> GuildJoinColumns =
        ["accept", "host", "user_agent", "event_type", "user_name", "guild_name", "event_id"];

    /// <summary>The text columns of the fallback table for unrouted events.</summary>
    public static readonly IReadOnlyList<string> OtherEventColumns =
        ["event_type", "user_agent", "user_name", "event_id"];

    /// <summary>
    /// The reference design's routes: <c>purchase_sword</c> → <c>purchases</c>, <c>join_guild</c> → <c>gjoins</c>,
    /// anything else → <c>other_events</c>, anything that is not a JSON object → <c>dead_letters</c>.
    /// </summary>
    public static RoutingSettings Default { get; } = new()
    {
        Routes =
        [
            new EventRoute("purchase_sword", "purchases", PurchaseColumns),
            new EventRoute("join_guild", "gjoins", GuildJoinColumns),
        ],
    };

    /// <summary>The routes, matched by exact <c>event_type</c>.</summary>
    public IReadOnlyList<EventRoute> Routes { get; init; } = [];

    /// <summary>The table for events with a missing or unrouted <c>event_type</c>.</summary>
    public string OtherEventsTable { get; init; } = "other_events";

    /// <summary>The text columns of <see cref="OtherEventsTable"/>.</summary>
    public IReadOnlyList<string> OtherEventsColumns { get; init; } = OtherEventColumns;

    /// <summary>The table for records that are not a JSON object.</summary>
    public string DeadLettersTable { get; init; } = "dead_letters";

    /// <summary>Returns a copy with one more route (or a replaced route for the same event type).</summary>
    /// <param name="route">The route to add.</param>
    /// <returns>The new settings.</returns>
    public RoutingSettings WithRoute(EventRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return this with { Routes = [.. Routes.Where(r => r.EventType != route.EventType), route] };
    }

    /// <summary>Returns a copy with another fallback table for unrouted events.</summary>
    /// <param name="table">The table name.</param>
    /// <returns>The new settings.</returns>
    public RoutingSettings WithOtherEventsTable(string table) => this with { OtherEventsTable = table };

    /// <summary>Returns a copy with another dead-letter table.</summary>
    /// <param name="table">The table name.</param>
    /// <returns>The new settings.</returns>
    public RoutingSettings WithDeadLettersTable(string table) => this with { DeadLettersTable = table };
}
