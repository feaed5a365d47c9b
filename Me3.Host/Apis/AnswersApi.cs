using Me3.Host.Analytics;
using Me3.Streams.Query;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Me3.Host.Apis;

/// <summary><c>GET /api/answers</c>: the business questions answered from the lake, as JSON.</summary>
public static class AnswersApi
{
    /// <summary>How many rows of each ranking the JSON carries.</summary>
    public const int TopRows = 20;

    /// <summary>Maps <c>GET /api/answers</c>.</summary>
    /// <param name="routes">The analytics routes.</param>
    /// <returns>The routes.</returns>
    public static IEndpointRouteBuilder MapAnswersApi(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/api/answers", GetAsync);
        return routes;
    }

    private static async Task<Results<Ok<AnswersDocument>, ProblemHttpResult>> GetAsync(LakeAnswersService answers, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(AnswersDocument.From(await answers.GetAsync(cancellationToken)));
        }
        catch (QueryException e)
        {
            return TypedResults.Problem($"The lake could not be queried: {e.Message}", statusCode: StatusCodes.Status503ServiceUnavailable, title: e.ErrorName);
        }
    }
}

/// <summary>The answers as the JSON of <c>GET /api/answers</c>.</summary>
/// <param name="AsOf">When they were computed (UTC).</param>
/// <param name="Engine">What computed them.</param>
/// <param name="MostPopularSword">Purchases per sword.</param>
/// <param name="TopBuyer">Purchases per player.</param>
/// <param name="Platforms">iOS vs Android.</param>
/// <param name="Tables">Rows and files per table.</param>
public sealed record AnswersDocument(DateTime AsOf, string Engine, RankingDocument MostPopularSword, RankingDocument TopBuyer, PlatformsDocument Platforms, IReadOnlyList<TableCount> Tables)
{
    /// <summary>Builds the document.</summary>
    /// <param name="answers">The answers.</param>
    /// <returns>The document.</returns>
    public static AnswersDocument From(LakeAnswers answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        return new AnswersDocument(
            answers.AsOf,
            answers.Engine,
            RankingDocument.From(answers.MostPopularSword, AnswerText.MostPopularSword(answers.MostPopularSword)),
            RankingDocument.From(answers.TopBuyer, AnswerText.TopBuyer(answers.TopBuyer)),
            new PlatformsDocument(AnswerText.Platforms(answers.Platforms), answers.Platforms.Ios, answers.Platforms.Android, answers.Platforms.Total,
                answers.Platforms.ByPlatform, answers.Platforms.ByUserAgent.Take(AnswersApi.TopRows).ToArray(), [answers.Platforms.PurchasesSql, answers.Platforms.GuildJoinsSql]),
            answers.Tables);
    }
}

/// <summary>A ranking in the answers JSON.</summary>
/// <param name="Sentence">The answer in words.</param>
/// <param name="Leaders">The value(s) with the highest count (several on a tie).</param>
/// <param name="Top">The highest counts, at most <see cref="AnswersApi.TopRows"/>.</param>
/// <param name="Distinct">How many distinct values there are (of the rows read).</param>
/// <param name="Total">All events counted.</param>
/// <param name="Sql">The statement behind it.</param>
public sealed record RankingDocument(string Sentence, IReadOnlyList<CountedValue> Leaders, IReadOnlyList<CountedValue> Top, int Distinct, long Total, string Sql)
{
    /// <summary>Builds the document.</summary>
    /// <param name="ranking">The ranking.</param>
    /// <param name="sentence">The answer in words.</param>
    /// <returns>The document.</returns>
    public static RankingDocument From(Ranking ranking, string sentence)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        return new(sentence, ranking.Leaders, ranking.Rows.Take(AnswersApi.TopRows).ToArray(), ranking.Rows.Count, ranking.Total, ranking.Sql);
    }
}

/// <summary>The platform split in the answers JSON.</summary>
/// <param name="Sentence">The answer in words.</param>
/// <param name="Ios">Events from iOS.</param>
/// <param name="Android">Events from Android.</param>
/// <param name="Total">All events counted.</param>
/// <param name="ByPlatform">Events per platform (<c>other</c> included).</param>
/// <param name="ByUserAgent">Events per user agent, at most <see cref="AnswersApi.TopRows"/>.</param>
/// <param name="Sql">The statements behind it.</param>
public sealed record PlatformsDocument(string Sentence, long Ios, long Android, long Total, IReadOnlyList<CountedValue> ByPlatform, IReadOnlyList<CountedValue> ByUserAgent, IReadOnlyList<string> Sql);
