using Xunit;

namespace Me3.Tests.Deployment;

/// <summary>
/// A test that needs Debian's <c>docker-compose</c> (no Docker engine: it only reads and checks the compose file).
/// Without it the test is skipped with the command that installs it, unless <c>ME3_COMPOSE_TESTS=required</c> (set
/// by .ci/run), when it runs and fails.
/// </summary>
public sealed class ComposeFactAttribute : FactAttribute
{
    public ComposeFactAttribute()
    {
        if (ComposeFile.Tool is null && Environment.GetEnvironmentVariable("ME3_COMPOSE_TESTS") != "required")
        {
            Skip = "needs docker-compose on PATH: sudo apt-get install -y --no-install-recommends docker-compose (.ci/run installs it)";
        }
    }
}
