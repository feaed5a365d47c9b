using System.Text.Json.Serialization;

namespace Me3.Streams.Query;

/// <summary>Source-generated JSON for the scalar values query results hold (works trimmed and AOT).</summary>
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(short))]
[JsonSerializable(typeof(sbyte))]
[JsonSerializable(typeof(byte))]
[JsonSerializable(typeof(ushort))]
[JsonSerializable(typeof(uint))]
[JsonSerializable(typeof(ulong))]
[JsonSerializable(typeof(float))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(decimal))]
internal sealed partial class QueryJsonContext : JsonSerializerContext;
