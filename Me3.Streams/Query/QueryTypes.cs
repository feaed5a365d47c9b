namespace Me3.Streams.Query;

/// <summary>Trino type names and the .NET values that stand for them.</summary>
internal static class QueryTypes
{
    /// <summary>The base name of a type: <c>timestamp(3) with time zone</c> → <c>timestamp with time zone</c>,
    /// <c>decimal(18,2)</c> → <c>decimal</c>, <c>array(varchar)</c> → <c>array</c>.</summary>
    /// <param name="type">A type name in Trino's spelling.</param>
    /// <returns>The base name, lower case.</returns>
    public static string BaseName(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var t = type.Trim().ToLowerInvariant();
        var paren = t.IndexOf('(', StringComparison.Ordinal);
        if (paren < 0)
        {
            return t;
        }

        var close = t.IndexOf(')', paren);
        var head = t[..paren].TrimEnd();
        var tail = close >= 0 ? t[(close + 1)..].Trim() : "";
        return tail.Length == 0 ? head : head + " " + tail;
    }

    /// <summary>The .NET type of a Trino type's values (see <see cref="QueryColumn.ClrType"/>).</summary>
    /// <param name="type">A type name in Trino's spelling.</param>
    /// <returns>The .NET type.</returns>
    public static Type ClrTypeOf(string type) => BaseName(type) switch
    {
        "bigint" => typeof(long),
        "integer" or "int" => typeof(int),
        "smallint" => typeof(short),
        "tinyint" => typeof(sbyte),
        "double" => typeof(double),
        "real" => typeof(float),
        "boolean" => typeof(bool),
        "decimal" => typeof(decimal),
        "date" => typeof(DateOnly),
        "timestamp" => typeof(DateTime),
        "timestamp with time zone" => typeof(DateTimeOffset),
        "time" => typeof(TimeOnly),
        "varbinary" => typeof(byte[]),
        _ => typeof(string),
    };
}
