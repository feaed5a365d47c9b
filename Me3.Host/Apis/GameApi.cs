using Me3.Host.Configuration;
using Me3.Host.Publishing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Me3.Host.Apis;

/// <summary>The game API of the reference design: each request becomes one event in Kafka.</summary>
public static class GameApi
{
    /// <summary>Maps <c>/</c>, <c>/purchase_a_sword</c> and <c>/join_guild</c> for GET (query) and POST (form).</summary>
    /// <param name="app">The routes.</param>
    /// <returns>The routes.</returns>
    public static IEndpointRouteBuilder MapGameApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        string[] methods = ["GET", "POST"];

        // An event's timestamp is when the API received it, read from the application's clock if it registered one.
        var clock = app.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
        app.MapMethods("/", methods, (HttpContext c, EventPublisher p, IOptions<Me3Options> o) =>
            HandleAsync(c, p, o.Value.Api, clock, "default", "This is the default response!"));
        app.MapMethods("/purchase_a_sword", methods, (HttpContext c, EventPublisher p, IOptions<Me3Options> o) =>
            HandleAsync(c, p, o.Value.Api, clock, "purchase_sword", "Sword Purchased!"));
        app.MapMethods("/join_guild", methods, (HttpContext c, EventPublisher p, IOptions<Me3Options> o) =>
            HandleAsync(c, p, o.Value.Api, clock, "join_guild", "Guild Joined!"));
        return app;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> HandleAsync(
        HttpContext context, EventPublisher publisher, ApiOptions api, TimeProvider clock, string eventType, string reply)
    {
        var request = context.Request;
        List<KeyValuePair<string, string>> parameters = [.. request.Query.Select(q => KeyValuePair.Create(q.Key, q.Value.ToString()))];
        if (HttpMethods.IsPost(request.Method) && (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0))
        {
            if (!request.HasFormContentType)
            {
                return TypedResults.Problem($"Send parameters as a form (application/x-www-form-urlencoded or multipart/form-data), not '{request.ContentType}'.",
                    statusCode: StatusCodes.Status415UnsupportedMediaType);
            }

            if (request.ContentLength > api.MaxBodyBytes)
            {
                return TypedResults.Problem($"The body is larger than {api.MaxBodyBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge);
            }

            try
            {
                var form = await request.ReadFormAsync(context.RequestAborted);
                parameters.AddRange(form.Select(f => KeyValuePair.Create(f.Key, f.Value.ToString())));
            }
            catch (InvalidDataException e)
            {
                return TypedResults.Problem($"The form body is malformed or too large: {e.Message}", statusCode: StatusCodes.Status400BadRequest);
            }
            catch (BadHttpRequestException e)
            {
                return TypedResults.Problem(e.Message, statusCode: e.StatusCode);
            }
            catch (IOException e) when (!context.RequestAborted.IsCancellationRequested)
            {
                // A body that ends before its form does (a truncated multipart upload): the client's mistake.
                return TypedResults.Problem($"The form body ended early: {e.Message}", statusCode: StatusCodes.Status400BadRequest);
            }
        }

        var tooLong = parameters.FirstOrDefault(p => p.Key.Length > api.MaxParameterLength || p.Value.Length > api.MaxParameterLength);
        if (tooLong.Key is not null)
        {
            return TypedResults.Problem($"Parameter '{Truncate(tooLong.Key)}' is longer than {api.MaxParameterLength} characters (Me3:Api:MaxParameterLength).",
                statusCode: StatusCodes.Status400BadRequest);
        }

        var json = GameEventBuilder.Build(request.Headers, parameters, eventType, clock.GetUtcNow().UtcDateTime);
        if (await publisher.PublishAsync(json, context.RequestAborted))
        {
            return TypedResults.Text(reply); // plain text, as the reference game API answers
        }

        context.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem("Kafka did not acknowledge the event in time; nothing was recorded. Retry later.",
            statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
