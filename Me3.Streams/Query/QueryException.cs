namespace Me3.Streams.Query;

/// <summary>
/// A query failed: refused, invalid, failed in the engine, or stopped at its time limit. Carries what Trino's clients
/// report: the error's name, code and type, and where in the statement it is, when known.
/// </summary>
public sealed class QueryException : Me3Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The kind of failure.</param>
    /// <param name="message">What went wrong, in the engine's words.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    /// <param name="queryId">The engine's id of the query, if it has one.</param>
    /// <param name="line">1-based line of the error in the statement, if known.</param>
    /// <param name="column">1-based column of the error in the statement, if known.</param>
    public QueryException(QueryError error, string message, Exception? innerException = null, string? queryId = null, int? line = null, int? column = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
        QueryId = queryId;
        Line = line;
        Column = column;
    }

    /// <summary>The kind of failure.</summary>
    public QueryError Error { get; }

    /// <summary>The error's name, such as <c>PERMISSION_DENIED</c>.</summary>
    public string ErrorName => Error.Name;

    /// <summary>The error's code in Trino's numbering.</summary>
    public int ErrorCode => Error.Code;

    /// <summary>The error's class, such as <c>USER_ERROR</c>.</summary>
    public string ErrorType => Error.Type;

    /// <summary>The engine's id of the query, if it has one.</summary>
    public string? QueryId { get; }

    /// <summary>1-based line of the error in the statement, if known.</summary>
    public int? Line { get; }

    /// <summary>1-based column of the error in the statement, if known.</summary>
    public int? Column { get; }
}
