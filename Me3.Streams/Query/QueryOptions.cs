namespace Me3.Streams.Query;

/// <summary>Limits of one query. Immutable; change it with the <c>With*</c> methods.</summary>
public sealed record QueryOptions
{
    /// <summary>At most 10,000 rows, at most 60 seconds.</summary>
    public static QueryOptions Default { get; } = new();

    /// <summary>Most rows read; past it the result stops and <see cref="QueryResult.Truncated"/> is set.</summary>
    public int MaxRows { get; init; } = 10_000;

    /// <summary>Longest time from start to the last row read; past it the query is stopped and fails with
    /// <see cref="QueryErrors.ExceededTimeLimit"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Returns a copy with another row limit.</summary>
    /// <param name="maxRows">Most rows read (positive).</param>
    /// <returns>The new options.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public QueryOptions WithMaxRows(int maxRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        return this with { MaxRows = maxRows };
    }

    /// <summary>Returns a copy with another time limit.</summary>
    /// <param name="timeout">The time limit (positive).</param>
    /// <returns>The new options.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public QueryOptions WithTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return this with { Timeout = timeout };
    }
}
