using Me3.Streams.Events;
using Me3.Streams.Routing;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Events;

/// <summary>What a user of <c>Me3Flow.Decode</c> reads from an event: its table and its fields by column name.</summary>
public sealed class DecodedEventSpec
{
    private readonly EventDecoder _decoder = new(LakeLayout.For(RoutingSettings.Default));

    [Fact]
    public void An_event_must_give_its_table_and_its_fields_by_column_name()
    {
        var e = _decoder.Decode(Records.Json("""{"event_type":"purchase_sword","user_name":"al\"ice","sword_name":"katana","Host":"h1","price":12.5}"""));

        Assert.Equal("purchases", e.TableName);
        Assert.Equal("al\"ice", e.Field("user_name"));
        Assert.Equal("katana", e.Field("sword_name"));
        Assert.Equal("h1", e.Field("host"));
        Assert.Null(e.Field("guild_name"));
        Assert.Null(e.Field("price"));
    }

    [Fact]
    public void A_dead_letter_must_have_no_fields()
    {
        var e = _decoder.Decode(Records.Json("not json"));

        Assert.Equal("dead_letters", e.TableName);
        Assert.NotNull(e.Error);
        Assert.Null(e.Field("user_name"));
    }
}
