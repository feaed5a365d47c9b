using Akka.Streams.Supervision;
using Confluent.Kafka;

namespace Me3.Streams.Kafka;

/// <summary>Supervision for Kafka stages, as Akka.Streams.Kafka ships it.</summary>
public static class KafkaSupervision
{
    /// <summary>
    /// Fatal Kafka errors (the client cannot go on: fenced, authorization, unsupported, fatal flag) →
    /// <see cref="Directive.Stop"/>; errors that heal (broker down, leader change, timeouts, missing topic while it is
    /// being created) → <see cref="Directive.Resume"/>, retried with backoff; anything else → Stop.
    /// </summary>
    public static Decider DefaultDecider { get; } = error => error switch
    {
        KafkaException { Error.IsFatal: true } => Directive.Stop,
        KafkaException k when IsRetriable(k.Error.Code) => Directive.Resume,
        _ => Directive.Stop,
    };

    internal static bool IsRetriable(ErrorCode code) => code is
        ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_TimedOut or
        ErrorCode.Local_TimedOutQueue or ErrorCode.Local_Resolve or ErrorCode.Local_UnknownPartition or
        ErrorCode.Local_UnknownTopic or ErrorCode.UnknownTopicOrPart or ErrorCode.LeaderNotAvailable or
        ErrorCode.NotLeaderForPartition or ErrorCode.RequestTimedOut or ErrorCode.NetworkException or
        ErrorCode.GroupLoadInProgress or ErrorCode.GroupCoordinatorNotAvailable or ErrorCode.NotCoordinatorForGroup or
        ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId or
        ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.KafkaStorageError or
        ErrorCode.Local_State or ErrorCode.Local_WaitCoord or ErrorCode.Local_Retry;
}
