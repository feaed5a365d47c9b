using Akka.Streams;
using Akka.Streams.TestKit;
using Akka.TestKit;

namespace Me3.Tests.Support;

/// <summary>
/// The end-of-spec form a Kafka spec still calls; stream specs wrap themselves in
/// <see cref="LakeSpec.StreamSpecAsync(Func{Task}, IMaterializer?)"/> instead. Delete once nothing calls it.
/// </summary>
public static class StreamAssertions
{
    public static Task AssertAllStagesStoppedAsync(this TestKitBase kit, IMaterializer materializer) =>
        kit.AssertAllStagesStoppedAsync(() => LakeSpec.ExpectNoStreamRunningAsync(kit, materializer), materializer);
}
