namespace Me3.Streams.Query;

/// <summary>A kind of query failure, named and numbered as Trino's standard error codes are.</summary>
/// <param name="Name">The error's name (<c>PERMISSION_DENIED</c>).</param>
/// <param name="Code">Its number in Trino's <c>StandardErrorCode</c>.</param>
/// <param name="Type">Its class: <c>USER_ERROR</c>, <c>INTERNAL_ERROR</c>, <c>INSUFFICIENT_RESOURCES</c> or <c>EXTERNAL</c>.</param>
public sealed record QueryError(string Name, int Code, string Type);

/// <summary>The failures Me3's engines report, with Trino's names and codes.</summary>
public static class QueryErrors
{
    /// <summary>A user error with no more specific kind.</summary>
    public static QueryError GenericUserError { get; } = new("GENERIC_USER_ERROR", 0, "USER_ERROR");

    /// <summary>The statement does not parse.</summary>
    public static QueryError SyntaxError { get; } = new("SYNTAX_ERROR", 1, "USER_ERROR");

    /// <summary>The client stopped asking for results.</summary>
    public static QueryError AbandonedQuery { get; } = new("ABANDONED_QUERY", 2, "USER_ERROR");

    /// <summary>The client cancelled the query.</summary>
    public static QueryError UserCanceled { get; } = new("USER_CANCELED", 3, "USER_ERROR");

    /// <summary>The statement would read or write outside what the engine allows (the lake, read-only).</summary>
    public static QueryError PermissionDenied { get; } = new("PERMISSION_DENIED", 4, "USER_ERROR");

    /// <summary>A function the engine does not know.</summary>
    public static QueryError FunctionNotFound { get; } = new("FUNCTION_NOT_FOUND", 6, "USER_ERROR");

    /// <summary>Bad arguments to a function, or a value that does not convert.</summary>
    public static QueryError InvalidFunctionArgument { get; } = new("INVALID_FUNCTION_ARGUMENT", 7, "USER_ERROR");

    /// <summary>A kind of statement the engine does not run (anything but a query).</summary>
    public static QueryError NotSupported { get; } = new("NOT_SUPPORTED", 13, "USER_ERROR");

    /// <summary>The engine has too many queries running; retry later.</summary>
    public static QueryError QueryRejected { get; } = new("QUERY_REJECTED", 31, "USER_ERROR");

    /// <summary>A catalog the engine does not know.</summary>
    public static QueryError CatalogNotFound { get; } = new("CATALOG_NOT_FOUND", 44, "USER_ERROR");

    /// <summary>A schema the engine does not know.</summary>
    public static QueryError SchemaNotFound { get; } = new("SCHEMA_NOT_FOUND", 45, "USER_ERROR");

    /// <summary>A table the lake does not have.</summary>
    public static QueryError TableNotFound { get; } = new("TABLE_NOT_FOUND", 46, "USER_ERROR");

    /// <summary>A column the table does not have.</summary>
    public static QueryError ColumnNotFound { get; } = new("COLUMN_NOT_FOUND", 47, "USER_ERROR");

    /// <summary>Operand types that do not fit together.</summary>
    public static QueryError TypeMismatch { get; } = new("TYPE_MISMATCH", 58, "USER_ERROR");

    /// <summary>An unexpected failure inside the engine.</summary>
    public static QueryError GenericInternalError { get; } = new("GENERIC_INTERNAL_ERROR", 65536, "INTERNAL_ERROR");

    /// <summary>The engine ran out of memory for the query.</summary>
    public static QueryError ExceededMemoryLimit { get; } = new("EXCEEDED_GLOBAL_MEMORY_LIMIT", 131073, "INSUFFICIENT_RESOURCES");

    /// <summary>The query ran past its time limit and was stopped.</summary>
    public static QueryError ExceededTimeLimit { get; } = new("EXCEEDED_TIME_LIMIT", 131075, "INSUFFICIENT_RESOURCES");
}
