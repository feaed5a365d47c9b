using System.Runtime.CompilerServices;
using Me3.Streams.Routing;
using Parquet.Schema;

namespace Me3.Streams.Lake.Encoders;

/// <summary>A table's columns as Parquet.Net fields: text as UTF-8 STRING, the timestamp as TIMESTAMP(ms, UTC),
/// the partition as INT32, the offset as INT64.</summary>
internal static class ParquetNetSchema
{
    private static readonly ConditionalWeakTable<TableSchema, ParquetSchema> Cache = [];

    public static ParquetSchema For(TableSchema schema) =>
        Cache.GetValue(schema, static s => new ParquetSchema(s.Columns.Select(ToField).ToArray()));

    public static DataField Field(TableSchema schema, int column) => For(schema).GetDataFields()[column];

    private static DataField ToField(LakeColumn column) => column.Role switch
    {
        ColumnRole.Timestamp => new DateTimeDataField(
            column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: false),
        ColumnRole.KafkaPartition => new DataField<int>(column.Name),
        ColumnRole.KafkaOffset => new DataField<long>(column.Name),
        _ => new DataField<string>(column.Name, nullable: true),
    };
}
