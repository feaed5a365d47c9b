using Me3.Streams;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Streams.Routing;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Routing;

public sealed class LakeLayoutSpec
{
    [Fact]
    public void Default_routing_must_have_the_reference_designs_tables_and_columns()
    {
        var layout = LakeLayout.For(RoutingSettings.Default);
        var tables = layout.Tables.ToDictionary(t => t.Name, t => t.Columns.Select(c => c.Name).ToArray());

        Assert.Equal(
            ["raw_event", "timestamp", "accept", "host", "user_agent", "event_type", "user_name", "sword_name", "event_id", "kafka_partition", "kafka_offset"],
            tables["purchases"]);
        Assert.Equal(
            ["raw_event", "timestamp", "accept", "host", "user_agent", "event_type", "user_name", "guild_name", "event_id", "kafka_partition", "kafka_offset"],
            tables["gjoins"]);
        Assert.Equal(["raw_event", "timestamp", "event_type", "user_agent", "user_name", "event_id", "kafka_partition", "kafka_offset"], tables["other_events"]);
        Assert.Equal(["raw_event", "error", "timestamp", "kafka_partition", "kafka_offset"], tables["dead_letters"]);
    }

    [Fact]
    public void Routes_must_come_from_configuration()
    {
        var routing = RoutingSettings.Default.WithRoute(new EventRoute("buy_shield", "shields", ["user_name", "shield_name"]));
        var layout = LakeLayout.For(routing);
        var e = new EventDecoder(layout).Decode(Records.Json("""{"event_type":"buy_shield","shield_name":"aegis"}"""));

        Assert.Equal("shields", e.Table.Name);
        Assert.Equal("aegis", e.FieldText(layout.FieldNames.ToList().IndexOf("shield_name")));
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("Purchases")]
    [InlineData("1table")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("dt=2026-01-01")]
    public void Table_names_must_be_identifiers_so_no_configuration_can_choose_a_path(string table)
    {
        var routing = RoutingSettings.Default.WithRoute(new EventRoute("x", table, ["user_name"]));
        var error = Assert.Throws<Me3Exception>(() => LakeLayout.For(routing));
        Assert.Contains("not a valid identifier", error.Message);
    }

    [Theory]
    [InlineData("raw_event")]
    [InlineData("kafka_offset")]
    [InlineData("timestamp")]
    public void Reserved_columns_cannot_be_event_columns(string column)
    {
        var routing = RoutingSettings.Default.WithRoute(new EventRoute("x", "xs", [column]));
        Assert.Contains("reserved", Assert.Throws<Me3Exception>(() => LakeLayout.For(routing)).Message);
    }

    [Fact]
    public void Dead_letters_cannot_share_a_table_with_events()
    {
        var routing = RoutingSettings.Default.WithDeadLettersTable("purchases");
        Assert.Contains("dead-letter", Assert.Throws<Me3Exception>(() => LakeLayout.For(routing)).Message);
    }

    [Fact]
    public void An_events_content_never_chooses_a_table_outside_the_configuration()
    {
        var layout = LakeLayout.For(RoutingSettings.Default);
        var e = new EventDecoder(layout).Decode(Records.Json("""{"event_type":"../../etc/passwd"}"""));
        Assert.Equal("other_events", e.Table.Name);
    }
}
