using System.Globalization;
using System.Text;

namespace Me3.Streams.Query.Trino.Server;

/// <summary>A column as the metadata tables show it.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type">Its type in Trino's spelling.</param>
/// <param name="IsPartitionKey">Whether it is the Hive partition key.</param>
internal sealed record MetaColumn(string Name, string Type, bool IsPartitionKey = false);

/// <summary>A table as the metadata tables show it.</summary>
/// <param name="Catalog">Its catalog.</param>
/// <param name="Schema">Its schema.</param>
/// <param name="Name">Its name.</param>
/// <param name="Columns">Its columns.</param>
internal sealed record MetaTable(string Catalog, string Schema, string Name, IReadOnlyList<MetaColumn> Columns);

/// <summary>
/// The catalogs, schemas, tables and columns a client of the endpoint sees, and the metadata tables Trino clients read
/// (<c>information_schema.*</c>, <c>system.jdbc.*</c>) as SQL relations the embedded engine runs: the lake's tables in
/// schema <c>default</c> of each lake catalog, and the metadata tables themselves in <c>information_schema</c> and
/// <c>system.jdbc</c>.
/// </summary>
internal sealed class TrinoMetadata
{
    public const string SystemCatalog = "system";
    public const string InformationSchema = "information_schema";
    public const string JdbcSchema = "jdbc";

    private const string V = "VARCHAR";
    private const string B = "BIGINT";
    private const string Bool = "BOOLEAN";

    /// <summary>The metadata relations: schema, table, then columns with their DuckDB types.</summary>
    private static readonly Dictionary<(string Schema, string Table), (string Name, string Type)[]> Relations = new()
    {
        [(InformationSchema, "schemata")] = [("catalog_name", V), ("schema_name", V)],
        [(InformationSchema, "tables")] = [("table_catalog", V), ("table_schema", V), ("table_name", V), ("table_type", V)],
        [(InformationSchema, "columns")] =
        [
            ("table_catalog", V), ("table_schema", V), ("table_name", V), ("column_name", V), ("ordinal_position", B), ("column_default", V),
            ("is_nullable", V), ("data_type", V),
        ],
        [(InformationSchema, "views")] = [("table_catalog", V), ("table_schema", V), ("table_name", V), ("view_owner", V), ("view_definition", V)],
        [(InformationSchema, "table_privileges")] =
        [
            ("grantor", V), ("grantor_type", V), ("grantee", V), ("grantee_type", V), ("table_catalog", V), ("table_schema", V), ("table_name", V),
            ("privilege_type", V), ("is_grantable", V), ("with_hierarchy", V),
        ],
        [(JdbcSchema, "catalogs")] = [("table_cat", V)],
        [(JdbcSchema, "schemas")] = [("table_schem", V), ("table_catalog", V)],
        [(JdbcSchema, "tables")] =
        [
            ("table_cat", V), ("table_schem", V), ("table_name", V), ("table_type", V), ("remarks", V), ("type_cat", V), ("type_schem", V),
            ("type_name", V), ("self_referencing_col_name", V), ("ref_generation", V),
        ],
        [(JdbcSchema, "table_types")] = [("table_type", V)],
        [(JdbcSchema, "columns")] =
        [
            ("table_cat", V), ("table_schem", V), ("table_name", V), ("column_name", V), ("data_type", B), ("type_name", V), ("column_size", B),
            ("buffer_length", B), ("decimal_digits", B), ("num_prec_radix", B), ("nullable", B), ("remarks", V), ("column_def", V),
            ("sql_data_type", B), ("sql_datetime_sub", B), ("char_octet_length", B), ("ordinal_position", B), ("is_nullable", V),
            ("scope_catalog", V), ("scope_schema", V), ("scope_table", V), ("source_data_type", B), ("is_autoincrement", V), ("is_generatedcolumn", V),
        ],
        [(JdbcSchema, "types")] =
        [
            ("type_name", V), ("data_type", B), ("precision", B), ("literal_prefix", V), ("literal_suffix", V), ("create_params", V), ("nullable", B),
            ("case_sensitive", Bool), ("searchable", B), ("unsigned_attribute", Bool), ("fixed_prec_scale", Bool), ("auto_increment", Bool),
            ("local_type_name", V), ("minimum_scale", B), ("maximum_scale", B), ("sql_data_type", B), ("sql_datetime_sub", B), ("num_prec_radix", B),
        ],
        [(JdbcSchema, "procedures")] =
        [
            ("procedure_cat", V), ("procedure_schem", V), ("procedure_name", V), ("undef1", V), ("undef2", V), ("undef3", V), ("remarks", V),
            ("procedure_type", B), ("specific_name", V),
        ],
        [(JdbcSchema, "procedure_columns")] =
        [
            ("procedure_cat", V), ("procedure_schem", V), ("procedure_name", V), ("column_name", V), ("column_type", B), ("data_type", B),
            ("type_name", V), ("precision", B), ("length", B), ("scale", B), ("radix", B), ("nullable", B), ("remarks", V), ("column_def", V),
            ("sql_data_type", B), ("sql_datetime_sub", B), ("char_octet_length", B), ("ordinal_position", B), ("is_nullable", V), ("specific_name", V),
        ],
        [(JdbcSchema, "pseudo_columns")] =
        [
            ("table_cat", V), ("table_schem", V), ("table_name", V), ("column_name", V), ("data_type", B), ("column_size", B), ("decimal_digits", B),
            ("num_prec_radix", B), ("column_usage", V), ("remarks", V), ("char_octet_length", B), ("is_nullable", V),
        ],
        [(JdbcSchema, "super_tables")] = [("table_cat", V), ("table_schem", V), ("table_name", V), ("supertable_name", V)],
        [(JdbcSchema, "super_types")] = [("type_cat", V), ("type_schem", V), ("type_name", V), ("supertype_cat", V), ("supertype_schem", V), ("supertype_name", V)],
        [(JdbcSchema, "udts")] = [("type_cat", V), ("type_schem", V), ("type_name", V), ("class_name", V), ("data_type", B), ("remarks", V), ("base_type", B)],
        [(JdbcSchema, "attributes")] =
        [
            ("type_cat", V), ("type_schem", V), ("type_name", V), ("attr_name", V), ("data_type", B), ("attr_type_name", V), ("attr_size", B),
            ("decimal_digits", B), ("num_prec_radix", B), ("nullable", B), ("remarks", V), ("attr_def", V), ("sql_data_type", B),
            ("sql_datetime_sub", B), ("char_octet_length", B), ("ordinal_position", B), ("is_nullable", V), ("scope_catalog", V),
            ("scope_schema", V), ("scope_table", V), ("source_data_type", B),
        ],
    };

    /// <summary>The types <c>system.jdbc.types</c> lists: those the lake and the engine produce.</summary>
    private static readonly string[] Types =
    [
        "bigint", "integer", "smallint", "tinyint", "boolean", "date", "decimal", "double", "real", "varchar", "char", "varbinary", "time",
        "time with time zone", "timestamp", "timestamp with time zone", "uuid", "json", "array", "map", "row",
    ];

    private readonly List<MetaTable> _tables;

    public TrinoMetadata(IReadOnlyList<string> lakeCatalogs, string schema, IReadOnlyList<(string Name, IReadOnlyList<MetaColumn> Columns)> lakeTables)
    {
        LakeCatalogs = lakeCatalogs;
        Schema = schema;
        _tables = [];
        foreach (var catalog in lakeCatalogs)
        {
            _tables.AddRange(lakeTables.Select(t => new MetaTable(catalog, schema, t.Name, t.Columns)));
        }

        foreach (var catalog in lakeCatalogs.Append(SystemCatalog))
        {
            _tables.AddRange(Relations.Where(r => r.Key.Schema == InformationSchema)
                .Select(r => new MetaTable(catalog, InformationSchema, r.Key.Table, ColumnsOf(r.Value))));
        }

        _tables.AddRange(Relations.Where(r => r.Key.Schema == JdbcSchema).Select(r => new MetaTable(SystemCatalog, JdbcSchema, r.Key.Table, ColumnsOf(r.Value))));
        _tables.Sort((a, b) => string.CompareOrdinal($"{a.Catalog}.{a.Schema}.{a.Name}", $"{b.Catalog}.{b.Schema}.{b.Name}"));
    }

    /// <summary>The catalogs that hold the lake.</summary>
    public IReadOnlyList<string> LakeCatalogs { get; }

    /// <summary>The lake's schema in each.</summary>
    public string Schema { get; }

    /// <summary>Every catalog, sorted.</summary>
    public IReadOnlyList<string> Catalogs => [.. LakeCatalogs.Append(SystemCatalog).Order(StringComparer.Ordinal)];

    /// <summary>The schemas of a catalog, sorted.</summary>
    public IReadOnlyList<string> SchemasOf(string catalog) =>
        catalog == SystemCatalog ? [InformationSchema, JdbcSchema] : IsLakeCatalog(catalog) ? [Schema, InformationSchema] : [];

    /// <summary>The tables of a schema, sorted.</summary>
    public IReadOnlyList<MetaTable> TablesOf(string catalog, string schema) => [.. _tables.Where(t => t.Catalog == catalog && t.Schema == schema)];

    /// <summary>A table, or null.</summary>
    public MetaTable? Find(string catalog, string schema, string table) =>
        _tables.FirstOrDefault(t => t.Catalog == catalog && t.Schema == schema && t.Name == table);

    public bool IsLakeCatalog(string catalog) => LakeCatalogs.Contains(catalog, StringComparer.Ordinal);

    public bool IsCatalog(string catalog) => catalog == SystemCatalog || IsLakeCatalog(catalog);

    /// <summary>Whether a metadata relation of that name exists.</summary>
    public static bool IsRelation(string schema, string table) => Relations.ContainsKey((schema, table));

    /// <summary>A metadata table as a parenthesized SELECT over literal rows, with its columns named and typed; for
    /// <c>information_schema</c>, the rows of <paramref name="catalog"/> only.</summary>
    public string Relation(string schema, string table, string catalog)
    {
        var columns = Relations[(schema, table)];
        IEnumerable<object?[]> rows = (schema, table) switch
        {
            (InformationSchema, "schemata") => SchemasOf(catalog).Select(s => new object?[] { catalog, s }),
            (InformationSchema, "tables") => _tables.Where(t => t.Catalog == catalog).Select(t => new object?[] { t.Catalog, t.Schema, t.Name, "BASE TABLE" }),
            (InformationSchema, "columns") => _tables.Where(t => t.Catalog == catalog).SelectMany(t => t.Columns.Select((c, i) =>
                new object?[] { t.Catalog, t.Schema, t.Name, c.Name, (long)(i + 1), null, "YES", c.Type })),
            (JdbcSchema, "catalogs") => Catalogs.Select(c => new object?[] { c }),
            (JdbcSchema, "schemas") => Catalogs.SelectMany(c => SchemasOf(c).Select(s => new object?[] { s, c })),
            (JdbcSchema, "tables") => _tables.Select(t => new object?[] { t.Catalog, t.Schema, t.Name, "TABLE", null, null, null, null, null, null }),
            (JdbcSchema, "table_types") => [["TABLE"], ["VIEW"]],
            (JdbcSchema, "columns") => _tables.SelectMany(t => t.Columns.Select((c, i) => JdbcColumn(t, c, i + 1))),
            (JdbcSchema, "types") => Types.Select(JdbcType),
            _ => [],
        };
        return Select(columns, rows);
    }

    /// <summary>A SELECT over literal rows with named, typed columns (typed even when there are no rows).</summary>
    public static string Select(IReadOnlyList<(string Name, string Type)> columns, IEnumerable<object?[]> rows)
    {
        var values = rows.ToList();
        var sql = new StringBuilder("(SELECT ");
        if (values.Count == 0)
        {
            sql.AppendJoin(", ", columns.Select(c => $"CAST(NULL AS {c.Type}) AS {Quote(c.Name)}"));
            return sql.Append(" WHERE false)").ToString();
        }

        sql.AppendJoin(", ", columns.Select((c, i) => $"CAST(c{i} AS {c.Type}) AS {Quote(c.Name)}"));
        sql.Append(" FROM (VALUES ");
        sql.AppendJoin(", ", values.Select(row => "(" + string.Join(", ", row.Select(SqlLiteral)) + ")"));
        sql.Append(") AS v(").AppendJoin(", ", columns.Select((_, i) => $"c{i}")).Append("))");
        return sql.ToString();
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string SqlLiteral(object? value) => value switch
    {
        null => "NULL",
        bool b => b ? "true" : "false",
        long n => n.ToString(CultureInfo.InvariantCulture),
        int n => n.ToString(CultureInfo.InvariantCulture),
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        _ => throw new ArgumentException($"No SQL literal for {value.GetType().Name}.", nameof(value)),
    };

    private static MetaColumn[] ColumnsOf((string Name, string Type)[] columns) =>
        [.. columns.Select(c => new MetaColumn(c.Name, c.Type switch { B => "bigint", Bool => "boolean", _ => "varchar" }))];

    private static object?[] JdbcColumn(MetaTable table, MetaColumn column, int ordinal)
    {
        var type = TrinoType.Parse(column.Type);
        return
        [
            table.Catalog, table.Schema, table.Name, column.Name, (long)JdbcTypeCode(type), column.Type, ColumnSize(type), 0L, DecimalDigits(type),
            NumericRadix(type), 2L /* columnNullableUnknown */, null, null, null, null, CharOctetLength(type), (long)ordinal, "", null, null, null,
            null, null, null,
        ];
    }

    private static object?[] JdbcType(string name)
    {
        var type = TrinoType.Parse(name);
        var parametric = name is "array" or "map" or "row" or "decimal";
        return
        [
            name, (long)JdbcTypeCode(type), parametric ? null : ColumnSize(type), null, null, null, 1L /* typeNullable */, false,
            name is "array" or "map" or "row" ? 0L : 3L /* searchable */, null, false, null, null, 0L, 0L, null, null, NumericRadix(type),
        ];
    }

    /// <summary>java.sql.Types of a Trino type, as Trino's JDBC metadata reports it.</summary>
    private static int JdbcTypeCode(TrinoType type) => type.RawType switch
    {
        "boolean" => 16,
        "bigint" => -5,
        "integer" => 4,
        "smallint" => 5,
        "tinyint" => -6,
        "real" => 7,
        "double" => 8,
        "decimal" => 3,
        "varchar" => 12,
        "char" => 1,
        "varbinary" => -3,
        "date" => 91,
        "time" => 92,
        "time with time zone" => 2013,
        "timestamp" => 93,
        "timestamp with time zone" => 2014,
        "array" => 2003,
        _ => 2000,
    };

    private static long? ColumnSize(TrinoType type)
    {
        var p = type.Precision ?? (type.RawType.StartsWith("time", StringComparison.Ordinal) ? 3 : 0);
        return type.RawType switch
        {
            "bigint" => 19,
            "integer" => 10,
            "smallint" => 5,
            "tinyint" => 3,
            "decimal" => type.Precision ?? 38,
            "real" => 24,
            "double" => 53,
            "varchar" => type.Precision ?? TrinoType.UnboundedVarcharLength,
            "char" => type.Precision ?? 1,
            "varbinary" => int.MaxValue,
            "date" => 14,
            "time" => 8 + Math.Min(p, 1) + p,
            "time with time zone" => 8 + Math.Min(p, 1) + p + 6,
            "timestamp" => 1 + 5 + 15 + Math.Min(p, 1) + p,
            "timestamp with time zone" => 1 + 6 + 15 + Math.Min(p, 1) + p + 1 + 32,
            _ => null,
        };
    }

    private static long? DecimalDigits(TrinoType type) => type.RawType switch
    {
        "decimal" => type.Numbers.Count > 1 ? type.Numbers[1] : 0,
        "time" or "time with time zone" or "timestamp" or "timestamp with time zone" => type.Precision ?? 3,
        _ => null,
    };

    private static long? NumericRadix(TrinoType type) => type.RawType switch
    {
        "bigint" or "integer" or "smallint" or "tinyint" or "decimal" => 10,
        "real" or "double" => 2,
        _ => null,
    };

    private static long? CharOctetLength(TrinoType type) => type.RawType switch
    {
        "varchar" => type.Precision ?? TrinoType.UnboundedVarcharLength,
        "char" => type.Precision ?? 1,
        "varbinary" => int.MaxValue,
        _ => null,
    };
}
