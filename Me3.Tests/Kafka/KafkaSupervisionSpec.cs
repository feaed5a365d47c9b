using Akka.Streams.Supervision;
using Confluent.Kafka;
using Me3.Streams.Kafka;
using Xunit;

namespace Me3.Tests.Kafka;

public sealed class KafkaSupervisionSpec
{
    [Theory]
    [InlineData(ErrorCode.Local_AllBrokersDown, Directive.Resume)]
    [InlineData(ErrorCode.NotLeaderForPartition, Directive.Resume)]
    [InlineData(ErrorCode.UnknownTopicOrPart, Directive.Resume)]
    [InlineData(ErrorCode.RebalanceInProgress, Directive.Resume)]
    [InlineData(ErrorCode.TopicAuthorizationFailed, Directive.Stop)]
    [InlineData(ErrorCode.SaslAuthenticationFailed, Directive.Stop)]
    [InlineData(ErrorCode.UnsupportedVersion, Directive.Stop)]
    public void Default_decider_must_stop_on_fatal_errors_and_resume_on_ones_that_heal(ErrorCode code, Directive expected) =>
        Assert.Equal(expected, KafkaSupervision.DefaultDecider(new KafkaException(new Error(code))));

    [Fact]
    public void Default_decider_must_stop_on_errors_flagged_fatal_whatever_their_code() =>
        Assert.Equal(Directive.Stop, KafkaSupervision.DefaultDecider(new KafkaException(new Error(ErrorCode.Local_Transport, "x", isFatal: true))));

    [Fact]
    public void Default_decider_must_stop_on_errors_that_are_not_Kafkas() =>
        Assert.Equal(Directive.Stop, KafkaSupervision.DefaultDecider(new InvalidOperationException()));
}
