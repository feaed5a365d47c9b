using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Implementation;
using Akka.TestKit;

namespace Me3.Tests.Support;

/// <summary>What Akka.Streams.TestKit's AssertAllStagesStopped does: after a test, no stream actor is left running.</summary>
public static class StreamAssertions
{
    public static async Task AssertAllStagesStoppedAsync(this TestKitBase kit, IMaterializer materializer)
    {
        var supervisor = ((ActorMaterializerImpl)materializer).Supervisor;
        await kit.AwaitAssertAsync(async () =>
        {
            var children = await supervisor.Ask<StreamSupervisor.Children>(StreamSupervisor.GetChildren.Instance, TimeSpan.FromSeconds(3));
            Xunit.Assert.Empty(children.Refs);
        }, TimeSpan.FromSeconds(5));
    }
}
