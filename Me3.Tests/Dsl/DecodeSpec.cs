using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Me3.Streams;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Settings;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Dsl;

/// <summary><see cref="Me3Flow.Decode"/>: records in, decoded and routed events out, dead letters included.</summary>
public sealed class DecodeSpec : LakeSpec
{
    private (TestPublisher.Probe<SourceRecord> Upstream, TestSubscriber.Probe<DecodedEvent> Downstream) Run(RoutingSettings routing) =>
        this.SourceProbe<SourceRecord>()
            .Via(Me3Flow.Decode(routing))
            .ToMaterialized(this.SinkProbe<DecodedEvent>(), Keep.Both)
            .Run(Materializer);

    [Fact]
    public async Task Decode_must_route_each_record_in_order_and_turn_a_poison_record_into_a_dead_letter_without_stopping()
    {
        await StreamSpecAsync(async () =>
        {
            var (upstream, downstream) = Run(RoutingSettings.Default);
            downstream.Request(10);

            await upstream.SendNextAsync(Records.Json(Records.Purchase("alice", "katana"), offset: 0));
            await upstream.SendNextAsync(Records.Json("{\"event_type\":\"purchase_sword\",\"user_name\":\"trunc", offset: 1));
            await upstream.SendNextAsync(Records.Bytes([0xFF, 0xFE, 0x00], offset: 2));
            await upstream.SendNextAsync(Records.Json("""{"event_type":"join_guild","guild_name":"ni","timestamp":"2026-11-22T23:59:59.999Z"}""", offset: 3));
            await upstream.SendNextAsync(Records.Json("""{"event_type":"wave"}""", offset: 4));

            var purchase = await downstream.ExpectNextAsync();
            Assert.Equal(("purchases", 0L, (string?)null), (purchase.TableName, purchase.Record.Offset, purchase.Error));
            Assert.Equal(new DateTime(2026, 11, 21, 10, 0, 0, 123, DateTimeKind.Utc), purchase.Timestamp);
            Assert.Equal(("alice", "katana", "ApacheBench/2.3"), (purchase.Field("user_name"), purchase.Field("sword_name"), purchase.Field("user_agent")));

            var truncated = await downstream.ExpectNextAsync();
            Assert.Equal(("dead_letters", 1L), (truncated.TableName, truncated.Record.Offset));
            Assert.False(string.IsNullOrWhiteSpace(truncated.Error));
            Assert.Null(truncated.Field("user_name")); // a dead letter has no fields, only its raw text
            Assert.Equal(Records.SourceTime, truncated.Timestamp); // no timestamp of its own: the source's

            var binary = await downstream.ExpectNextAsync();
            Assert.Equal(("dead_letters", 2L), (binary.TableName, binary.Record.Offset));
            Assert.NotNull(binary.Error);

            var join = await downstream.ExpectNextAsync();
            Assert.Equal(("gjoins", 3L, (string?)null), (join.TableName, join.Record.Offset, join.Error));
            Assert.Equal(new DateTime(2026, 11, 22, 23, 59, 59, 999, DateTimeKind.Utc), join.Timestamp);
            Assert.Equal(("ni", null), (join.Field("guild_name"), join.Field("user_name")));

            var other = await downstream.ExpectNextAsync();
            Assert.Equal(("other_events", 4L, (string?)null), (other.TableName, other.Record.Offset, other.Error));

            await upstream.SendCompleteAsync();
            await downstream.ExpectCompleteAsync();
        });
    }

    [Fact]
    public async Task Decode_must_route_with_the_routing_it_is_given()
    {
        await StreamSpecAsync(async () =>
        {
            var routing = RoutingSettings.Default
                .WithRoute(new EventRoute("buy_shield", "shields", ["user_name", "shield_name"]))
                .WithOtherEventsTable("misc")
                .WithDeadLettersTable("rejects");
            var (upstream, downstream) = Run(routing);
            downstream.Request(3);

            await upstream.SendNextAsync(Records.Json("""{"event_type":"buy_shield","user_name":"dora","shield_name":"aegis"}"""));
            await upstream.SendNextAsync(Records.Json("""{"event_type":"wave"}"""));
            await upstream.SendNextAsync(Records.Json("not json"));

            Assert.Equal(["shields", "misc", "rejects"], (await downstream.ExpectNextNAsync(3).ToListAsync()).Select(e => e.TableName));
            await downstream.CancelAsync();
            await upstream.ExpectCancellationAsync();
        });
    }

    [Fact]
    public async Task Decode_must_pass_on_demand_and_not_read_ahead_of_it()
    {
        var exact = Sys.Materializer(ActorMaterializerSettings.Create(Sys).WithInputBuffer(1, 1));
        await StreamSpecAsync(async () =>
        {
            var (upstream, downstream) = this.SourceProbe<SourceRecord>()
                .Via(Me3Flow.Decode(RoutingSettings.Default))
                .ToMaterialized(this.SinkProbe<DecodedEvent>(), Keep.Both)
                .Run(exact);

            // Without demand downstream, the flow asks for no more than its one-element buffer.
            Assert.Equal(1, await upstream.ExpectRequestAsync());
            await upstream.SendNextAsync(Records.Json(Records.Purchase("a", "s")));
            await upstream.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

            downstream.Request(1);
            Assert.Equal("purchases", (await downstream.ExpectNextAsync()).TableName);
            Assert.Equal(1, await upstream.ExpectRequestAsync());

            await upstream.SendCompleteAsync();
            await downstream.ExpectCompleteAsync();
        }, exact);
    }

    [Fact]
    public void Decode_must_reject_invalid_routing_with_an_error_naming_what_is_wrong()
    {
        var clash = RoutingSettings.Default.WithDeadLettersTable("purchases");
        Assert.Contains("'purchases'", Assert.Throws<Me3Exception>(() => Me3Flow.Decode(clash)).Message);

        var badName = RoutingSettings.Default.WithRoute(new EventRoute("x", "Bad-Table", ["a"]));
        Assert.Contains("'Bad-Table' is not a valid identifier", Assert.Throws<Me3Exception>(() => Me3Flow.Decode(badName)).Message);
    }
}
