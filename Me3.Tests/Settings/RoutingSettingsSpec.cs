using Me3.Streams;
using Me3.Streams.Routing;
using Me3.Streams.Settings;
using Xunit;

namespace Me3.Tests.Settings;

public sealed class RoutingSettingsSpec
{
    [Fact]
    public void Defaults_must_be_the_reference_designs_routes()
    {
        var routing = RoutingSettings.Default;

        Assert.Equal(
            [("purchase_sword", "purchases"), ("join_guild", "gjoins")],
            routing.Routes.Select(r => (r.EventType, r.Table)));
        Assert.Equal(RoutingSettings.PurchaseColumns, routing.Routes[0].Columns);
        Assert.Equal(RoutingSettings.GuildJoinColumns, routing.Routes[1].Columns);
        Assert.Equal(("other_events", "dead_letters"), (routing.OtherEventsTable, routing.DeadLettersTable));
        Assert.Equal(RoutingSettings.OtherEventColumns, routing.OtherEventsColumns);
        Assert.Empty(new RoutingSettings().Routes); // no routes: every event goes to other_events
    }

    [Fact]
    public void WithRoute_must_add_a_route_or_replace_the_one_for_the_same_event_type_in_a_copy()
    {
        var added = RoutingSettings.Default.WithRoute(new EventRoute("buy_shield", "shields", ["user_name"]));
        var replaced = added.WithRoute(new EventRoute("purchase_sword", "swords", ["user_name"]));

        Assert.Equal(["purchases", "gjoins", "shields"], added.Routes.Select(r => r.Table));
        Assert.Equal(["gjoins", "shields", "swords"], replaced.Routes.Select(r => r.Table));
        Assert.Equal(["purchases", "gjoins"], RoutingSettings.Default.Routes.Select(r => r.Table));
        Assert.Equal(["purchases", "gjoins", "shields"], added.Routes.Select(r => r.Table));
    }

    [Fact]
    public void Table_With_methods_must_return_a_changed_copy()
    {
        var changed = RoutingSettings.Default.WithOtherEventsTable("misc").WithDeadLettersTable("rejects");

        Assert.Equal(("misc", "rejects"), (changed.OtherEventsTable, changed.DeadLettersTable));
        Assert.Equal(("other_events", "dead_letters"), (RoutingSettings.Default.OtherEventsTable, RoutingSettings.Default.DeadLettersTable));
        Assert.Equal(["purchases", "gjoins", "misc", "rejects"], LakeLayout.For(changed).Tables.Select(t => t.Name));
    }

    [Fact]
    public void Invalid_routes_must_be_rejected_with_an_error_saying_what_is_wrong()
    {
        Assert.Equal("A route to table 'x' has an empty event type.",
            Assert.Throws<Me3Exception>(() => LakeLayout.For(RoutingSettings.Default.WithRoute(new EventRoute("", "x", ["a"])))).Message);
        Assert.Equal("The dead-letter table 'other_events' is also an event table.",
            Assert.Throws<Me3Exception>(() => LakeLayout.For(RoutingSettings.Default.WithDeadLettersTable("other_events"))).Message);
        Assert.Contains("'kafka_offset' of table 'shields' is reserved",
            Assert.Throws<Me3Exception>(() => LakeLayout.For(RoutingSettings.Default.WithRoute(new EventRoute("buy_shield", "shields", ["kafka_offset"])))).Message);
    }
}
