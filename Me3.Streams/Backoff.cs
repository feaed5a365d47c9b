namespace Me3.Streams;

/// <summary>The exponential backoff every retry in the library waits: a base that doubles per attempt, up to a cap.</summary>
internal static class Backoff
{
    /// <summary>How long to wait before retrying after <paramref name="attempt"/> failures.</summary>
    /// <param name="attempt">The attempt count (0 or more); the wait doubles with each.</param>
    /// <param name="baseMs">The wait at attempt 0, in milliseconds.</param>
    /// <param name="maxMs">The longest wait, in milliseconds.</param>
    public static TimeSpan Exponential(int attempt, int baseMs, int maxMs) =>
        TimeSpan.FromMilliseconds(Math.Min(maxMs, (long)baseMs << Math.Clamp(attempt, 0, 30)));
}
