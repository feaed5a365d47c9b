using System.Text;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Streams.Routing;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Events;

/// <summary>No record, however broken, may make the decoder throw: a throw would stop the stream for good.</summary>
public sealed class EventDecoderFuzzSpec
{
    private readonly LakeLayout _layout = LakeLayout.For(RoutingSettings.Default);
    private readonly EventDecoder _decoder;

    public EventDecoderFuzzSpec() => _decoder = new EventDecoder(_layout);

    private string? Field(DecodedEvent e, string name) => e.FieldText(_layout.FieldNames.ToList().IndexOf(name));

    [Theory]
    [InlineData("""{"event_type":"purchase_sword","user_name":"\ud800"}""", "user_name", "\uFFFD")]
    [InlineData("""{"event_type":"purchase_sword","user_name":"ab\udc00cd"}""", "user_name", "ab\uFFFDcd")]
    [InlineData("""{"event_type":"purchase_sword","user_name":"\ud83d"}""", "user_name", "\uFFFD")]
    [InlineData("""{"event_type":"purchase_sword","user_name":"\ud83d\ud83d\udde1"}""", "user_name", "\uFFFD🗡")]
    [InlineData("""{"event_type":"purchase_sword","user_name":"\udde1\ud83d"}""", "user_name", "\uFFFD\uFFFD")]
    [InlineData("""{"event_type":"purchase_sword","sword_name":"x\ud800\n"}""", "sword_name", "x\uFFFD\n")]
    public void Decoder_must_land_an_event_with_a_lone_surrogate_escape_keeping_the_rest_of_the_value(string json, string field, string expected)
    {
        var e = _decoder.Decode(Records.Json(json));

        Assert.Null(e.Error);
        Assert.Equal("purchases", e.Table.Name);
        Assert.Equal(expected, Field(e, field));
    }

    [Fact]
    public void Decoder_must_survive_a_lone_surrogate_in_a_field_name_the_timestamp_and_the_event_type()
    {
        var name = _decoder.Decode(Records.Json("""{"event_type":"purchase_sword","user_\ud800name":"x","user_name":"alice"}"""));
        Assert.Equal("purchases", name.Table.Name);
        Assert.Equal("alice", Field(name, "user_name"));

        var timestamp = _decoder.Decode(Records.Json("""{"event_type":"purchase_sword","timestamp":"2026-11-21T10:00:00Z\ud800"}"""));
        Assert.Equal("purchases", timestamp.Table.Name);
        Assert.Equal(Records.SourceTime, timestamp.Timestamp);

        var type = _decoder.Decode(Records.Json("""{"event_type":"purchase_sword\ud800"}"""));
        Assert.Equal("other_events", type.Table.Name);
        Assert.Equal("purchase_sword\uFFFD", Field(type, "event_type"));
    }

    [Fact]
    public void Decoder_must_unescape_every_JSON_escape()
    {
        var e = _decoder.Decode(Records.Json("""{"event_type":"purchase_sword","user_name":"\"\\\/\b\f\n\r\t\u0000\u0041\u00e9\u20ac\ud83d\udde1"}"""));
        Assert.Equal("\"\\/\b\f\n\r\t\0Aé€🗡", Field(e, "user_name"));
    }

    [Fact]
    public void Decoder_must_never_throw_on_random_bytes()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            AssertDecodes(bytes);
        }
    }

    [Fact]
    public void Decoder_must_never_throw_on_mutations_of_valid_events()
    {
        var random = new Random(5678);
        string[] seeds =
        [
            Records.Purchase("alice", "katana"),
            """{"event_type":"join_guild","user_name":"J\u00f6rg \ud83d\udde1","guild_name":"a\"b","timestamp":1795255200123}""",
            """{"event_type":"purchase_sword","user_name":{"a":[1,2,{"b":null}]},"sword_name":12.5e3,"Host":true}""",
        ];
        string[] fragments = ["\\u", "\\ud800", "\\udc00", "\\ud83d\\udde1", "\\\\", "\\\"", "\"", "{", "}", "[", "]", ":", ",", "\\x", "\0", "é", "🗡", "\\u00", "1e999", "-", "null"];
        for (var i = 0; i < 30_000; i++)
        {
            var text = new StringBuilder(seeds[random.Next(seeds.Length)]);
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                var at = random.Next(text.Length + 1);
                switch (random.Next(3))
                {
                    case 0:
                        text.Insert(at, fragments[random.Next(fragments.Length)]);
                        break;
                    case 1 when at < text.Length:
                        text.Remove(at, Math.Min(text.Length - at, random.Next(1, 6)));
                        break;
                    default:
                        text.Insert(at, (char)random.Next(0, 128));
                        break;
                }
            }

            AssertDecodes(Encoding.UTF8.GetBytes(text.ToString()));
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            if (bytes.Length > 0)
            {
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                AssertDecodes(bytes);
            }
        }
    }

    [Fact]
    public void Decoder_must_never_throw_on_any_escape_in_any_position()
    {
        for (var unit = 0; unit <= 0xFFFF; unit += 7)
        {
            var escape = $"\\u{unit:x4}";
            AssertDecodes(Encoding.UTF8.GetBytes($$"""{"event_type":"purchase_sword","user_name":"{{escape}}","{{escape}}":1,"timestamp":"{{escape}}"}"""));
            AssertDecodes(Encoding.UTF8.GetBytes($$"""{"event_type":"{{escape}}{{escape}}"}"""));
        }
    }

    [Fact]
    public void Block_decoding_and_batching_must_never_throw_and_must_unescape_as_the_record_decoder_does()
    {
        var random = new Random(91011);
        var fragments = new[] { "\\ud800", "\\udc00x", "\\ud83d\\udde1", "\\n", "\\\"", "\\u00e9", "é", "🗡", "\"", "{", "}" };
        var records = new List<SourceRecord>();
        for (var i = 0; i < 3000; i++)
        {
            var text = new StringBuilder(Records.Purchase($"u{i}", "s"));
            for (var m = random.Next(0, 3); m > 0; m--)
            {
                text.Insert(random.Next(text.Length + 1), fragments[random.Next(fragments.Length)]);
            }

            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            if (random.Next(10) == 0 && bytes.Length > 0)
            {
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            }

            records.Add(Records.Bytes(bytes, offset: i));
        }

        var block = _decoder.Decode(RecordBlock.Of(records));
        var batches = _layout.Tables.Select((t, i) => new TableBatch(t, _layout.ColumnFields[i], 0)).ToArray();
        for (var i = 0; i < records.Count; i++)
        {
            var batch = batches[block.Tables[i]];
            batch.Add(block, i);
            var expected = _decoder.Decode(records[i]);
            Assert.Equal(expected.Table.Name, batch.Schema.Name);
            var userName = batch.Schema.Columns.Select(c => c.Name).ToList().IndexOf("user_name");
            if (userName >= 0)
            {
                var actual = batch.TryGetText(userName, batch.Count - 1, out var utf8) ? Encoding.UTF8.GetString(utf8) : null;
                Assert.Equal(Field(expected, "user_name"), actual);
            }
        }

        foreach (var batch in batches)
        {
            batch.Dispose();
        }
    }

    private void AssertDecodes(byte[] bytes)
    {
        var e = _decoder.Decode(Records.Bytes(bytes));
        Assert.NotNull(e.Table);
        for (var f = 0; f < _layout.FieldNames.Count; f++)
        {
            _ = e.FieldText(f);
        }

        Assert.Equal(e.Error is not null, e.Table.IsDeadLetters);
    }
}
