using System.Text.RegularExpressions;

namespace Me3.Streams.Query.DuckDb;

/// <summary>Turns DuckDB's error messages into <see cref="QueryException"/>s with Trino's error names.</summary>
internal static partial class DuckDbErrors
{
    public static QueryException From(string message, Exception? inner = null, string? queryId = null)
    {
        var text = message.Trim();
        var (line, column) = Position(text);
        return new QueryException(Classify(text), FirstParagraph(text), inner, queryId, line, column);
    }

    private static QueryError Classify(string message)
    {
        const string Raised = "Invalid Input Error: ";
        if (message.StartsWith(Raised, StringComparison.Ordinal) && message.AsSpan(Raised.Length).Contains(" Error: ", StringComparison.Ordinal))
        {
            return Classify(message[Raised.Length..]); // an unreadable table's view re-raises the error that made it so
        }

        if (message.StartsWith("Parser Error", StringComparison.Ordinal))
        {
            // query('...') and friends accept one SELECT only
            return message.Contains("Expected a single SELECT statement", StringComparison.Ordinal) ? QueryErrors.NotSupported : QueryErrors.SyntaxError;
        }

        if (message.StartsWith("Permission Error", StringComparison.Ordinal))
        {
            return QueryErrors.PermissionDenied;
        }

        if (message.StartsWith("Catalog Error", StringComparison.Ordinal))
        {
            return message.Contains("Table with name", StringComparison.Ordinal) || message.Contains("Table Function", StringComparison.Ordinal) && message.Contains("does not exist", StringComparison.Ordinal) && !message.Contains("Function with name", StringComparison.Ordinal)
                ? QueryErrors.TableNotFound
                : message.Contains("Function with name", StringComparison.Ordinal) ? QueryErrors.FunctionNotFound
                : message.Contains("Schema with name", StringComparison.Ordinal) ? QueryErrors.SchemaNotFound
                : message.Contains("Catalog \"", StringComparison.Ordinal) || message.Contains("Catalog with name", StringComparison.Ordinal) ? QueryErrors.CatalogNotFound
                : QueryErrors.GenericUserError;
        }

        if (message.StartsWith("Binder Error", StringComparison.Ordinal))
        {
            return message.Contains("Referenced column", StringComparison.Ordinal) || message.Contains("column", StringComparison.OrdinalIgnoreCase) && message.Contains("not found", StringComparison.Ordinal)
                ? QueryErrors.ColumnNotFound
                : message.Contains("No function matches", StringComparison.Ordinal) || message.Contains("Cannot compare", StringComparison.Ordinal)
                    ? QueryErrors.TypeMismatch
                    : QueryErrors.GenericUserError;
        }

        if (message.StartsWith("Conversion Error", StringComparison.Ordinal) || message.StartsWith("Invalid Input Error", StringComparison.Ordinal) || message.StartsWith("Out of Range Error", StringComparison.Ordinal))
        {
            return QueryErrors.InvalidFunctionArgument;
        }

        if (message.StartsWith("Out of Memory Error", StringComparison.Ordinal))
        {
            return QueryErrors.ExceededMemoryLimit;
        }

        return message.StartsWith("INTERNAL Error", StringComparison.Ordinal) || message.StartsWith("FATAL Error", StringComparison.Ordinal)
            ? QueryErrors.GenericInternalError
            : QueryErrors.GenericUserError;
    }

    private static string FirstParagraph(string message)
    {
        var end = message.IndexOf("\n\n", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).Trim();
    }

    /// <summary>DuckDB shows where a parse or bind error is as <c>LINE n: text</c> and a caret line below it.</summary>
    private static (int? Line, int? Column) Position(string message)
    {
        var match = LinePattern().Match(message);
        if (!match.Success)
        {
            return (null, null);
        }

        var line = int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var prefix = match.Groups["prefix"].Value.Length;
        var caret = match.Groups["caret"].Value;
        return (line, caret.Length >= prefix ? caret.Length - prefix + 1 : null);
    }

    [GeneratedRegex(@"^(?<prefix>LINE (?<line>\d+): ).*\r?\n(?<caret> *)\^", RegexOptions.Multiline)]
    private static partial Regex LinePattern();
}
