using Confluent.Kafka;
using Me3.Host.Configuration;
using Me3.Host.Publishing;
using Me3.Streams.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Me3.Host.Apis;

/// <summary><c>/healthz</c> (alive), <c>/readyz</c> (Kafka reachable, ingestion running) and <c>/metrics</c>.</summary>
public static class OperationsApi
{
    /// <summary>Maps the operations endpoints.</summary>
    /// <param name="app">The routes.</param>
    /// <returns>The routes.</returns>
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/healthz", () => TypedResults.Text("ok"));
        app.MapGet("/readyz", Ready);
        app.MapMetrics("/metrics");
        return app;
    }

    private static Results<Ok<string>, ProblemHttpResult> Ready(KafkaConnection kafka, Me3IngestionStatus ingestion, IOptions<Me3Options> options)
    {
        if (options.Value.Ingest.Enabled && !ingestion.Running)
        {
            return TypedResults.Problem($"The ingestion is not running{(ingestion.Failure is { } f ? ": " + f.Message : "")}.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        // The embedded broker keeps events only in this process: accept them only once the ingestion reads them.
        if (options.Value.Ingest.Enabled && kafka.Embedded is not null && ingestion.Control?.Assignment.Count is null or 0)
        {
            return TypedResults.Problem("The ingestion has not joined its consumer group yet.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        try
        {
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();
            admin.GetMetadata(kafka.Topic, TimeSpan.FromSeconds(2));
            return TypedResults.Ok("ready");
        }
        catch (KafkaException e)
        {
            return TypedResults.Problem($"Kafka is not reachable at {kafka.BootstrapServers}: {e.Error.Reason}", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
