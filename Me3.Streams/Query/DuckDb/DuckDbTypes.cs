using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Native;

namespace Me3.Streams.Query.DuckDb;

/// <summary>DuckDB's types in Trino's spelling, and DuckDB.NET's values as the .NET values of those types.</summary>
internal static class DuckDbTypes
{
    /// <summary>The Trino name of a DuckDB logical type (recursively for lists, structs and maps).</summary>
    public static string TrinoTypeOf(DuckDBLogicalType type)
    {
        var id = NativeMethods.LogicalType.DuckDBGetTypeId(type);
        switch (id)
        {
            case DuckDBType.Decimal:
                return string.Create(CultureInfo.InvariantCulture,
                    $"decimal({NativeMethods.LogicalType.DuckDBDecimalWidth(type)},{NativeMethods.LogicalType.DuckDBDecimalScale(type)})");
            case DuckDBType.List:
                using (var child = NativeMethods.LogicalType.DuckDBListTypeChildType(type))
                {
                    return $"array({TrinoTypeOf(child)})";
                }

            case DuckDBType.Array:
                using (var child = NativeMethods.LogicalType.DuckDBArrayTypeChildType(type))
                {
                    return $"array({TrinoTypeOf(child)})";
                }

            case DuckDBType.Map:
                using (var key = NativeMethods.LogicalType.DuckDBMapTypeKeyType(type))
                using (var value = NativeMethods.LogicalType.DuckDBMapTypeValueType(type))
                {
                    return $"map({TrinoTypeOf(key)}, {TrinoTypeOf(value)})";
                }

            case DuckDBType.Struct:
                var fields = new List<string>();
                var count = NativeMethods.LogicalType.DuckDBStructTypeChildCount(type);
                for (long i = 0; i < count; i++)
                {
                    using var field = NativeMethods.LogicalType.DuckDBStructTypeChildType(type, i);
                    fields.Add($"\"{NativeMethods.LogicalType.DuckDBStructTypeChildName(type, i).Replace("\"", "\"\"", StringComparison.Ordinal)}\" {TrinoTypeOf(field)}");
                }

                return $"row({string.Join(", ", fields)})";
            default:
                return TrinoTypeOf(id);
        }
    }

    /// <summary>The Trino name of a DuckDB scalar type.</summary>
    public static string TrinoTypeOf(DuckDBType id) => id switch
    {
        DuckDBType.Boolean => "boolean",
        DuckDBType.TinyInt => "tinyint",
        DuckDBType.SmallInt or DuckDBType.UnsignedTinyInt => "smallint",
        DuckDBType.Integer or DuckDBType.UnsignedSmallInt => "integer",
        DuckDBType.BigInt or DuckDBType.UnsignedInteger => "bigint",
        DuckDBType.UnsignedBigInt => "decimal(20,0)",
        DuckDBType.HugeInt or DuckDBType.UnsignedHugeInt or DuckDBType.VarInt => "decimal(38,0)",
        DuckDBType.Float => "real",
        DuckDBType.Double => "double",
        DuckDBType.Date => "date",
        DuckDBType.Time => "time(6)",
        DuckDBType.TimeTz => "time(6) with time zone",
        DuckDBType.TimestampS => "timestamp(0)",
        DuckDBType.TimestampMs => "timestamp(3)",
        DuckDBType.Timestamp => "timestamp(6)",
        DuckDBType.TimestampNs => "timestamp(9)",
        DuckDBType.TimestampTz => "timestamp(6) with time zone",
        DuckDBType.Blob => "varbinary",
        DuckDBType.Uuid => "uuid",
        _ => "varchar", // varchar, enum, interval, bit, union, null: as text
    };

    /// <summary>Converts a DuckDB.NET value to the .NET type <see cref="QueryTypes.ClrTypeOf"/> gives for
    /// <paramref name="trinoType"/>.</summary>
    public static object? ToClr(object? value, string trinoType)
    {
        if (value is null or DBNull)
        {
            return null;
        }

        var type = QueryTypes.BaseName(trinoType);
        return type switch
        {
            "array" or "map" or "row" => ToJson(value)?.ToJsonString(),
            "decimal" => value switch
            {
                decimal d => d,
                BigInteger b => (decimal)b,
                _ => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
            },
            "smallint" => Convert.ToInt16(value, CultureInfo.InvariantCulture),
            "integer" => Convert.ToInt32(value, CultureInfo.InvariantCulture),
            "bigint" => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            "timestamp" => value is DateTime t ? DateTime.SpecifyKind(t, DateTimeKind.Unspecified) : value,
            "timestamp with time zone" => value is DateTime t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : value,
            "varbinary" => value is Stream s ? ReadAll(s) : value,
            "uuid" => value is Guid g ? g.ToString("D") : Convert.ToString(value, CultureInfo.InvariantCulture),
            "varchar" => value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture),
            _ => value,
        };
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null or DBNull => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        BigInteger b => JsonValue.Create((decimal)b),
        DateTime t => JsonValue.Create(t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        DateOnly d => JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        TimeOnly t => JsonValue.Create(t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        Guid g => JsonValue.Create(g.ToString("D")),
        TimeSpan t => JsonValue.Create(t.ToString("c", CultureInfo.InvariantCulture)),
        Stream s => JsonValue.Create(Convert.ToBase64String(ReadAll(s))),
        System.Collections.IDictionary map => ToJsonObject(map),
        System.Collections.IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(ToJson)]),
        _ => JsonSerializer.SerializeToNode(value, value.GetType(), QueryJsonContext.Default),
    };

    private static JsonObject ToJsonObject(System.Collections.IDictionary map)
    {
        var result = new JsonObject();
        foreach (System.Collections.DictionaryEntry entry in map)
        {
            result[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""] = ToJson(entry.Value);
        }

        return result;
    }
}
