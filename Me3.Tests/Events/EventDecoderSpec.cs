using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Streams.Routing;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Events;

public sealed class EventDecoderSpec
{
    private readonly LakeLayout _layout = LakeLayout.For(RoutingSettings.Default);
    private readonly EventDecoder _decoder;

    public EventDecoderSpec() => _decoder = new EventDecoder(_layout);

    private string? Field(DecodedEvent e, string name) => e.FieldText(_layout.FieldNames.ToList().IndexOf(name));

    [Fact]
    public void Decoder_must_route_purchases_and_map_header_keys_to_snake_case_columns()
    {
        var e = _decoder.Decode(Records.Json(Records.Purchase("alice", "katana")));

        Assert.Equal("purchases", e.Table.Name);
        Assert.Null(e.Error);
        Assert.Equal("ApacheBench/2.3", Field(e, "user_agent"));
        Assert.Equal("user1.comcast.com", Field(e, "host"));
        Assert.Equal("*/*", Field(e, "accept"));
        Assert.Equal("alice", Field(e, "user_name"));
        Assert.Equal("katana", Field(e, "sword_name"));
        Assert.Equal(new DateTime(2026, 11, 21, 10, 0, 0, 123, DateTimeKind.Utc), e.Timestamp);
    }

    [Fact]
    public void Decoder_must_skip_a_byte_order_mark_before_the_JSON_and_keep_it_out_of_raw_event()
    {
        var e = _decoder.Decode(Records.Bytes([0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(Records.Purchase("alice", "katana"))]));

        Assert.Null(e.Error);
        Assert.Equal("purchases", e.Table.Name);
        Assert.Equal("alice", Field(e, "user_name"));
        Assert.Equal("ApacheBench/2.3", Field(e, "user_agent"));
    }

    [Fact]
    public void Decoder_must_route_guild_joins_to_gjoins()
    {
        var e = _decoder.Decode(Records.Json("""{"event_type":"join_guild","user_name":"bob","guild_name":"ni"}"""));
        Assert.Equal("gjoins", e.Table.Name);
        Assert.Equal("ni", Field(e, "guild_name"));
    }

    [Theory]
    [InlineData("""{"event_type":"default"}""")]
    [InlineData("""{"user_name":"no type"}""")]
    [InlineData("""{"event_type":null}""")]
    [InlineData("""{"event_type":42}""")]
    [InlineData("""{"event_type":{"nested":"purchase_sword"}}""")]
    [InlineData("""{"event_type":"PURCHASE_SWORD"}""")]
    [InlineData("{}")]
    public void Decoder_must_send_unknown_missing_or_non_string_event_types_to_other_events(string json)
    {
        var e = _decoder.Decode(Records.Json(json));
        Assert.Equal("other_events", e.Table.Name);
        Assert.Null(e.Error);
    }

    [Theory]
    [InlineData("""{"event_type":"purchase_sword","user_name":"tru""", "Malformed JSON")]
    [InlineData("""{"event_type":"purchase_sword",}""", "Malformed JSON")]
    [InlineData("""[{"event_type":"purchase_sword"}]""", "found an array")]
    [InlineData("42", "found a number")]
    [InlineData("\"purchase_sword\"", "found a string")]
    [InlineData("null", "found null")]
    [InlineData("true", "found a boolean")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("""{"a":1} {"b":2}""", "Malformed JSON")]
    [InlineData("""{"a":1} garbage""", "Malformed JSON")]
    [InlineData("{\"a\":1 // comment\n}", "Malformed JSON")]
    [InlineData("{\"event_type\":\"purchase_sword\"", "Malformed JSON")]
    public void Decoder_must_make_anything_that_is_not_a_JSON_object_a_dead_letter_with_the_error(string input, string expected)
    {
        var e = _decoder.Decode(Records.Json(input, offset: 7));
        Assert.Equal("dead_letters", e.Table.Name);
        Assert.Contains(expected, e.Error);
        Assert.Equal(7, e.Record.Offset);
        Assert.Equal(Records.SourceTime, e.Timestamp);
    }

    [Fact]
    public void Decoder_must_make_invalid_UTF8_a_dead_letter_whose_raw_event_is_lossless_Base64()
    {
        byte[] bytes = [(byte)'{', (byte)'"', (byte)'a', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'];
        var e = _decoder.Decode(Records.Bytes(bytes));
        Assert.Equal("dead_letters", e.Table.Name);
        Assert.Contains("not valid UTF-8", e.Error);
        Assert.Contains("index 3", e.Error);
        Assert.True(e.RawIsBinary);
    }

    [Fact]
    public void Decoder_must_keep_unicode_and_unescape_escaped_strings()
    {
        var e = _decoder.Decode(Records.Json("""{"event_type":"purchase_sword","user_name":"J\u00f6rg \"the\" \ud83d\udde1","sword_name":"épée 🗡️"}"""));
        Assert.Equal("purchases", e.Table.Name);
        Assert.Equal("Jörg \"the\" 🗡", Field(e, "user_name"));
        Assert.Equal("épée 🗡️", Field(e, "sword_name"));
    }

    [Fact]
    public void Decoder_must_route_an_escaped_event_type()
    {
        var e = _decoder.Decode(Records.Json("""{"event_type":"purchase\u005fsword"}"""));
        Assert.Equal("purchases", e.Table.Name);
    }

    [Fact]
    public void Decoder_must_keep_very_long_values_whole()
    {
        var longName = new string('x', 2_000_000);
        var e = _decoder.Decode(Records.Json($$"""{"event_type":"purchase_sword","user_name":"{{longName}}"}"""));
        Assert.Equal(longName, Field(e, "user_name"));
    }

    [Fact]
    public void Decoder_must_skip_unknown_nested_fields_and_keep_known_non_string_values_as_JSON_text()
    {
        var e = _decoder.Decode(Records.Json("""
            {"extra":{"deep":[1,{"event_type":"join_guild"}]},"event_type":"purchase_sword",
             "user_name":{"first":"a","last":"b"},"sword_name":12.5,"event_id":true,"Host":[1,2]}
            """));
        Assert.Equal("purchases", e.Table.Name);
        Assert.Equal("""{"first":"a","last":"b"}""", Field(e, "user_name"));
        Assert.Equal("12.5", Field(e, "sword_name"));
        Assert.Equal("true", Field(e, "event_id"));
        Assert.Equal("[1,2]", Field(e, "host"));
    }

    [Fact]
    public void Decoder_must_match_each_spelling_of_a_field_name_on_its_own_however_many_it_has_seen_before()
    {
        // Names that share their length, first and last bytes with a column but are not that column, beside the
        // column's other spellings, decoded repeatedly by one decoder (which remembers spellings it has seen).
        var layout = LakeLayout.For(RoutingSettings.Default.WithRoute(
            new EventRoute("custom", "custom", ["player_favourite_sword_name", "ab", "host"])));
        var decoder = new EventDecoder(layout);
        string? FieldOf(DecodedEvent e, string name) => e.FieldText(layout.FieldNames.ToList().IndexOf(name));
        (string Key, string Column)[] matching =
        [
            ("player_favourite_sword_name", "player_favourite_sword_name"), ("Player-Favourite-Sword-Name", "player_favourite_sword_name"),
            ("host", "host"), ("Host", "host"), ("HOST", "host"), ("ab", "ab"), ("AB", "ab"), ("user-agent", "user_agent"),
        ];
        string[] nonMatching = ["player_favourite_xword_name", "player_favourite_sword_namex", "hostx", "hos", "a", "b", "ab_", "hoSt\u00e9"];
        for (var round = 0; round < 3; round++)
        {
            foreach (var (key, column) in matching)
            {
                var e = decoder.Decode(Records.Json($$"""{"event_type":"custom","{{key}}":"v-{{key}}"}"""));
                Assert.Equal($"v-{key}", FieldOf(e, column));
            }

            foreach (var key in nonMatching)
            {
                var e = decoder.Decode(Records.Json($$"""{"event_type":"custom","{{key}}":"v"}"""));
                Assert.All(layout.FieldNames.Where(f => f != "event_type"), f => Assert.Null(FieldOf(e, f)));
            }

            var t = decoder.Decode(Records.Json("""{"event_type":"custom","TimeStamp":"2026-11-21T10:00:00Z","timestamp_x":"2020-01-01T00:00:00Z"}"""));
            Assert.Equal(new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc), t.Timestamp);
        }
    }

    [Fact]
    public void Decoder_must_take_the_last_of_duplicate_keys()
    {
        var e = _decoder.Decode(Records.Json("""{"event_type":"join_guild","event_type":"purchase_sword","user_name":"a","user_name":"b"}"""));
        Assert.Equal("purchases", e.Table.Name);
        Assert.Equal("b", Field(e, "user_name"));
    }

    [Fact]
    public void Decoder_must_leave_missing_and_null_fields_null()
    {
        var e = _decoder.Decode(Records.Json("""{"event_type":"purchase_sword","user_name":null}"""));
        Assert.Null(Field(e, "user_name"));
        Assert.Null(Field(e, "sword_name"));
    }

    [Theory]
    [InlineData("\"2026-11-21T10:00:00Z\"", "2026-11-21T10:00:00.000")]
    [InlineData("\"2026-11-21T10:00:00.1239Z\"", "2026-11-21T10:00:00.123")]
    [InlineData("\"2026-11-21T10:00:00+02:00\"", "2026-11-21T08:00:00.000")]
    [InlineData("\"2026-11-21 10:00:00\"", "2026-11-21T10:00:00.000")]
    [InlineData("\"Sat, 21 Nov 2026 10:00:00 GMT\"", "2026-11-21T10:00:00.000")]
    [InlineData("1795255200", "2026-11-21T10:00:00.000")]
    [InlineData("1795255200123", "2026-11-21T10:00:00.123")]
    public void Decoder_must_parse_the_events_own_timestamp_to_UTC_milliseconds(string json, string expected)
    {
        var e = _decoder.Decode(Records.Json($$"""{"event_type":"x","timestamp":{{json}}}"""));
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), e.Timestamp);
        Assert.Equal(DateTimeKind.Utc, e.Timestamp.Kind);
    }

    [Theory]
    [InlineData("\"not a time\"")]
    [InlineData("\"2026-13-45T99:00:00Z\"")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("1e300")]
    public void Decoder_must_fall_back_to_the_source_time_when_the_timestamp_does_not_parse(string json)
    {
        var e = _decoder.Decode(Records.Json($$"""{"event_type":"x","timestamp":{{json}}}"""));
        Assert.Equal(Records.SourceTime, e.Timestamp);
        Assert.Equal("other_events", e.Table.Name);
    }
}
