using System.Text;
using System.Text.Json;
using Me3.Host.Publishing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Xunit;

namespace Me3.Tests.Host.Publishing;

public sealed class GameEventBuilderSpec
{
    private static readonly DateTime Now = new(2026, 11, 21, 10, 0, 0, 123, DateTimeKind.Utc);

    private static JsonElement Build(IHeaderDictionary headers, params (string Name, string Value)[] parameters) =>
        JsonDocument.Parse(GameEventBuilder.Build(headers, parameters.Select(p => KeyValuePair.Create(p.Name, p.Value)), "purchase_sword", Now)).RootElement;

    private static List<string> Names(JsonElement json) => [.. json.EnumerateObject().Select(p => p.Name)];

    [Fact]
    public void Credentials_headers_must_be_left_out_whatever_their_case_and_every_other_header_kept()
    {
        var headers = new HeaderDictionary
        {
            ["Host"] = "user1.comcast.com",
            ["User-Agent"] = "ApacheBench/2.3",
            ["Accept"] = "*/*",
            ["authorization"] = "Bearer secret-token",
            ["COOKIE"] = "session=secret-session",
            ["Proxy-Authorization"] = "Basic c2VjcmV0",
            ["X-Authorization-Hint"] = "not a credential",
        };

        var json = Build(headers, ("user_name", "alice"));
        var text = json.GetRawText();

        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", text, StringComparison.Ordinal);
        Assert.Equal(["Host", "User-Agent", "Accept", "X-Authorization-Hint", "user_name", "event_type", "event_id", "timestamp"], Names(json));
        Assert.Equal("user1.comcast.com", json.GetProperty("Host").GetString());
        Assert.Equal("ApacheBench/2.3", json.GetProperty("User-Agent").GetString());
        Assert.Equal("*/*", json.GetProperty("Accept").GetString());
    }

    [Fact]
    public void The_event_must_carry_parameters_type_a_fresh_id_and_a_UTC_millisecond_timestamp()
    {
        var headers = new HeaderDictionary { ["Accept"] = new StringValues(["text/plain", "*/*"]) };

        var first = Build(headers, ("user_name", "Jörg \"🗡\""), ("sword_name", "katana"));
        var second = Build(headers, ("user_name", "Jörg \"🗡\""), ("sword_name", "katana"));

        Assert.Equal("text/plain,*/*", first.GetProperty("Accept").GetString());
        Assert.Equal("Jörg \"🗡\"", first.GetProperty("user_name").GetString());
        Assert.Equal("katana", first.GetProperty("sword_name").GetString());
        Assert.Equal("purchase_sword", first.GetProperty("event_type").GetString());
        Assert.Equal("2026-11-21T10:00:00.123Z", first.GetProperty("timestamp").GetString());
        var id = first.GetProperty("event_id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.NotEqual(id, second.GetProperty("event_id").GetString());
    }

    [Fact]
    public void The_event_must_be_UTF8_JSON_the_lake_decoder_reads_back()
    {
        var bytes = GameEventBuilder.Build(new HeaderDictionary { ["User-Agent"] = "ME3_ios/1.0" }, [KeyValuePair.Create("user_name", "alice")], "join_guild", Now);

        var decoded = new Me3.Streams.Events.EventDecoder(Me3.Streams.Routing.LakeLayout.For(Me3.Streams.Settings.RoutingSettings.Default))
            .Decode(new Me3.Streams.Events.SourceRecord("events", 0, 0, DateTime.UnixEpoch, bytes));

        Assert.Null(decoded.Error);
        Assert.Equal("gjoins", decoded.TableName);
        Assert.Equal(Now, decoded.Timestamp);
        Assert.StartsWith("{\"User-Agent\":\"ME3_ios/1.0\"", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }
}
