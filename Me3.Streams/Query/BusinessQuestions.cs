using System.Globalization;

namespace Me3.Streams.Query;

/// <summary>
/// The reference pipeline's business questions, answered with its own SQL, unchanged, on any
/// <see cref="IQueryEngine"/>: the most popular sword, the top buyer, and iOS vs Android.
/// </summary>
public sealed class BusinessQuestions
{
    /// <summary>The reference's query for the most popular sword.</summary>
    public const string MostPopularSwordSql =
        "SELECT count(*) AS purch_count, sword_name FROM purchases GROUP BY sword_name ORDER BY purch_count DESC";

    /// <summary>The reference's query for the top buyer.</summary>
    public const string TopBuyerSql =
        "SELECT count(*) AS purch_count, user_name FROM purchases GROUP BY user_name ORDER BY purch_count DESC";

    /// <summary>The reference's query for purchases per user agent.</summary>
    public const string PurchasesByUserAgentSql = "SELECT count(*) AS count, user_agent FROM purchases GROUP BY user_agent";

    /// <summary>The reference's query for guild joins per user agent.</summary>
    public const string GuildJoinsByUserAgentSql = "SELECT count(*) AS count, user_agent FROM gjoins GROUP BY user_agent";

    private const string AgentPrefix = "ME3_";

    private readonly IQueryEngine _engine;
    private readonly QueryOptions _options;

    /// <summary>Asks the questions of an engine.</summary>
    /// <param name="engine">The engine over the lake.</param>
    /// <param name="options">Row limit and timeout per query; <see cref="QueryOptions.Default"/> when null.</param>
    public BusinessQuestions(IQueryEngine engine, QueryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _options = options ?? QueryOptions.Default;
    }

    /// <summary>Sword purchases per sword, highest first.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The ranking.</returns>
    /// <exception cref="QueryException">The query failed.</exception>
    public Task<Ranking> MostPopularSwordAsync(CancellationToken cancellationToken = default) => RankAsync(MostPopularSwordSql, cancellationToken);

    /// <summary>Sword purchases per player, highest first.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The ranking.</returns>
    /// <exception cref="QueryException">The query failed.</exception>
    public Task<Ranking> TopBuyerAsync(CancellationToken cancellationToken = default) => RankAsync(TopBuyerSql, cancellationToken);

    /// <summary>Purchases and guild joins per user agent, combined into platforms.</summary>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The split.</returns>
    /// <exception cref="QueryException">A query failed.</exception>
    public async Task<PlatformSplit> PlatformsAsync(CancellationToken cancellationToken = default)
    {
        var purchases = await CountsAsync(PurchasesByUserAgentSql, cancellationToken).ConfigureAwait(false);
        var joins = await CountsAsync(GuildJoinsByUserAgentSql, cancellationToken).ConfigureAwait(false);
        var byAgent = purchases.Rows.Concat(joins.Rows)
            .GroupBy(r => r.Value)
            .Select(g => new CountedValue(g.Key, g.Sum(r => r.Count)))
            .OrderByDescending(r => r.Count).ThenBy(r => r.Value is null).ThenBy(r => r.Value, StringComparer.Ordinal)
            .ToArray();
        var byPlatform = byAgent
            .GroupBy(r => PlatformOf(r.Value))
            .Select(g => new CountedValue(g.Key, g.Sum(r => r.Count)))
            .OrderByDescending(r => r.Count).ThenBy(r => r.Value is null).ThenBy(r => r.Value, StringComparer.Ordinal)
            .ToArray();
        return new PlatformSplit(PurchasesByUserAgentSql, GuildJoinsByUserAgentSql, byAgent, byPlatform);
    }

    /// <summary>Rows per table, for the given tables.</summary>
    /// <param name="tables">The tables to count.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The counts, in the order given.</returns>
    /// <exception cref="QueryException">A query failed.</exception>
    public async Task<IReadOnlyList<TableCount>> TableCountsAsync(IEnumerable<string> tables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var counts = new List<TableCount>();
        foreach (var table in tables)
        {
            if (!Lake.LakeIdentifier.IsValidTableOrColumn(table))
            {
                throw new QueryException(QueryErrors.TableNotFound, $"'{table}' is not a lake table name.");
            }

            var (_, rows, _) = await _engine.QueryAsync($"SELECT count(*) FROM {table}", _options, cancellationToken).ConfigureAwait(false);
            counts.Add(new TableCount(table, Convert.ToInt64(rows[0][0], CultureInfo.InvariantCulture), null));
        }

        return counts;
    }

    /// <summary>Asks every question, and counts the rows of the given tables.</summary>
    /// <param name="tables">The tables to count (for the embedded engine, the lake's tables with their file counts
    /// come from <see cref="LakeCatalog"/>).</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The answers.</returns>
    /// <exception cref="QueryException">A query failed.</exception>
    public async Task<LakeAnswers> AnswerAllAsync(IEnumerable<string> tables, CancellationToken cancellationToken = default)
    {
        var asOf = DateTime.UtcNow;
        var swords = await MostPopularSwordAsync(cancellationToken).ConfigureAwait(false);
        var buyers = await TopBuyerAsync(cancellationToken).ConfigureAwait(false);
        var platforms = await PlatformsAsync(cancellationToken).ConfigureAwait(false);
        var counts = await TableCountsAsync(tables, cancellationToken).ConfigureAwait(false);
        return new LakeAnswers(swords, buyers, platforms, counts, asOf, _engine.Description);
    }

    /// <summary>Asks every question of the embedded engine's lake, with every table's row and file counts.</summary>
    /// <param name="catalog">The lake's tables.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The answers.</returns>
    /// <exception cref="QueryException">A query failed.</exception>
    public async Task<LakeAnswers> AnswerAllAsync(LakeCatalog catalog, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var tables = catalog.Tables();
        var answers = await AnswerAllAsync(tables.Select(t => t.Name), cancellationToken).ConfigureAwait(false);
        var files = tables.ToDictionary(t => t.Name, t => t.Files().Count, StringComparer.Ordinal);
        return answers with { Tables = [.. answers.Tables.Select(t => t with { Files = files[t.Table] })] };
    }

    /// <summary>The platform of a user agent: <c>ios</c> for <c>ME3_ios/1.0</c>; <see cref="PlatformSplit.Other"/> for
    /// agents of another shape or none.</summary>
    /// <param name="userAgent">The user agent.</param>
    /// <returns>The platform, lower case.</returns>
    public static string PlatformOf(string? userAgent)
    {
        if (userAgent is null || !userAgent.StartsWith(AgentPrefix, StringComparison.Ordinal))
        {
            return PlatformSplit.Other;
        }

        var slash = userAgent.IndexOf('/', AgentPrefix.Length);
        var platform = slash < 0 ? "" : userAgent[AgentPrefix.Length..slash];
        return platform.Length == 0 ? PlatformSplit.Other : platform.ToLowerInvariant();
    }

    private async Task<Ranking> RankAsync(string sql, CancellationToken cancellationToken)
    {
        var counts = await CountsAsync(sql, cancellationToken).ConfigureAwait(false);
        // Equal counts in a stable order (by value), so that ties read the same on every engine and run.
        return new Ranking(sql, [.. counts.Rows.OrderByDescending(r => r.Count).ThenBy(r => r.Value is null).ThenBy(r => r.Value, StringComparer.Ordinal)], counts.Truncated);
    }

    /// <summary>Runs a <c>count, value</c> query.</summary>
    private async Task<(IReadOnlyList<CountedValue> Rows, bool Truncated)> CountsAsync(string sql, CancellationToken cancellationToken)
    {
        var (_, rows, truncated) = await _engine.QueryAsync(sql, _options, cancellationToken).ConfigureAwait(false);
        return (rows.Select(r => new CountedValue(r[1] as string, Convert.ToInt64(r[0], CultureInfo.InvariantCulture))).ToArray(), truncated);
    }
}
