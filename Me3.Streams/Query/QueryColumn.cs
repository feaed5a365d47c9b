namespace Me3.Streams.Query;

/// <summary>
/// A result column. <see cref="Type"/> is the type's name in Trino's spelling (<c>varchar</c>, <c>bigint</c>,
/// <c>integer</c>, <c>double</c>, <c>boolean</c>, <c>date</c>, <c>timestamp(3)</c>, <c>decimal(18,2)</c>,
/// <c>array(varchar)</c>, …), whatever the engine, so that callers and Trino clients see one type system.
/// </summary>
/// <param name="Name">The column's name.</param>
/// <param name="Type">The type's name in Trino's spelling.</param>
public sealed record QueryColumn(string Name, string Type)
{
    /// <summary>
    /// The .NET type of this column's non-null values: <see cref="string"/> (varchar, char, uuid, json, and
    /// array/map/row as JSON text), <see cref="long"/> (bigint), <see cref="int"/> (integer), <see cref="short"/>
    /// (smallint), <see cref="sbyte"/> (tinyint), <see cref="double"/>, <see cref="float"/> (real),
    /// <see cref="bool"/>, <see cref="decimal"/>, <see cref="DateOnly"/> (date), <see cref="DateTime"/> (timestamp,
    /// <see cref="DateTimeKind.Unspecified"/>), <see cref="DateTimeOffset"/> (timestamp with time zone),
    /// <see cref="TimeOnly"/> (time), <see cref="byte"/>[] (varbinary).
    /// </summary>
    public Type ClrType => QueryTypes.ClrTypeOf(Type);
}
