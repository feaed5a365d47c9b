using System.Text.Json;
using System.Text.Json.Serialization;
using Me3.Host.Dashboard;

namespace Me3.Host.Apis;

/// <summary>The analytics surface's JSON documents, source-generated (camelCase, as ASP.NET Core writes by default).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AnswersDocument))]
[JsonSerializable(typeof(IngestionHealth))]
internal sealed partial class AnalyticsJsonContext : JsonSerializerContext;
