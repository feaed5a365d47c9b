using Me3.Streams;
using Me3.Streams.Query;

namespace Me3.Samples.Support;

/// <summary>Runs a command's work and turns what a user can act on into one line on standard error and an exit code,
/// never a stack trace.</summary>
internal static class CommandRun
{
    /// <summary>Runs <paramref name="work"/>: a query error exits 1 with its Trino error name, another Me3 error exits
    /// <paramref name="errorExitCode"/>, an interruption exits 130 with <paramref name="interrupted"/>.</summary>
    public static async Task<int> GuardAsync(Func<Task<int>> work, string interrupted = "interrupted.", int errorExitCode = 1)
    {
        try
        {
            return await work();
        }
        catch (QueryException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.ErrorName}: {e.Message}");
            return 1;
        }
        catch (Me3Exception e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return errorExitCode;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync(interrupted);
            return 130;
        }
    }
}
