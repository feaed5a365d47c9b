namespace Me3.Streams.Query.Trino.Server;

/// <summary>What a token is.</summary>
internal enum SqlTokenKind
{
    /// <summary>An unquoted word: keyword or identifier.</summary>
    Word,

    /// <summary>A <c>"quoted"</c> identifier.</summary>
    QuotedIdentifier,

    /// <summary>A <c>'string'</c> literal.</summary>
    String,

    /// <summary>A number.</summary>
    Number,

    /// <summary>Any other character: <c>.</c>, <c>(</c>, <c>,</c>, operators.</summary>
    Symbol,
}

/// <summary>A token of a statement: where it is in the text, and its value (an identifier unquoted, a string unescaped).</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Start">Its first character in the statement.</param>
/// <param name="Length">Its length in the statement.</param>
/// <param name="Value">Its value.</param>
internal readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length, string Value)
{
    public int End => Start + Length;

    public bool IsIdentifier => Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier;

    public bool IsWord(string word) => Kind == SqlTokenKind.Word && string.Equals(Value, word, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(char symbol) => Kind == SqlTokenKind.Symbol && Value[0] == symbol;
}

/// <summary>
/// Splits SQL into tokens, skipping spaces and comments, with Trino's (and DuckDB's) lexical rules for strings
/// (<c>''</c> escapes a quote) and quoted identifiers (<c>""</c>). Enough to find statement keywords and dotted names;
/// meaning is left to the engine.
/// </summary>
internal static class SqlTokenizer
{
    /// <exception cref="QueryException">An unterminated string, identifier or comment.</exception>
    public static List<SqlToken> Tokenize(string sql)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(sql, i + 1) == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(sql, i + 1) == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw Unterminated(sql, "comment", i);
                }

                i = end + 2;
            }
            else if (c is '\'' or '"')
            {
                var start = i;
                var value = new System.Text.StringBuilder();
                i++;
                while (true)
                {
                    if (i >= sql.Length)
                    {
                        throw Unterminated(sql, c == '\'' ? "string" : "quoted identifier", start);
                    }

                    if (sql[i] == c)
                    {
                        if (At(sql, i + 1) == c)
                        {
                            value.Append(c);
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    value.Append(sql[i++]);
                }

                tokens.Add(new SqlToken(c == '\'' ? SqlTokenKind.String : SqlTokenKind.QuotedIdentifier, start, i - start, value.ToString()));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$' or '@'))
                {
                    i++;
                }

                tokens.Add(new SqlToken(SqlTokenKind.Word, start, i - start, sql[start..i]));
            }
            else if (char.IsAsciiDigit(c) || c == '.' && char.IsAsciiDigit(At(sql, i + 1)))
            {
                var start = i;
                while (i < sql.Length && (char.IsAsciiLetterOrDigit(sql[i]) || sql[i] == '.' || sql[i] is '+' or '-' && sql[i - 1] is 'e' or 'E'))
                {
                    i++;
                }

                tokens.Add(new SqlToken(SqlTokenKind.Number, start, i - start, sql[start..i]));
            }
            else
            {
                tokens.Add(new SqlToken(SqlTokenKind.Symbol, i, 1, c.ToString()));
                i++;
            }
        }

        return tokens;
    }

    private static char At(string sql, int i) => i < sql.Length ? sql[i] : '\0';

    private static QueryException Unterminated(string sql, string what, int at)
    {
        var (line, column) = Position(sql, at);
        return new QueryException(QueryErrors.SyntaxError, $"line {line}:{column}: unterminated {what}", line: line, column: column);
    }

    /// <summary>The 1-based line and column of a character, as Trino reports positions.</summary>
    public static (int Line, int Column) Position(string sql, int at)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < at && i < sql.Length; i++)
        {
            if (sql[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, at - lineStart + 1);
    }
}
