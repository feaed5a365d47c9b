using Akka.Actor;
using Akka.Configuration;

namespace Me3.Samples.Support;

/// <summary>The actor system the commands run their graphs in: quiet unless something goes wrong.</summary>
internal static class Actors
{
    private static readonly Config Quiet = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        """);

    public static ActorSystem Create(string name) => ActorSystem.Create(name, Quiet);
}
