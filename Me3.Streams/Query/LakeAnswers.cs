namespace Me3.Streams.Query;

/// <summary>A value and how many times it occurs.</summary>
/// <param name="Value">The value; null for events that lack it.</param>
/// <param name="Count">How many events have it.</param>
public sealed record CountedValue(string? Value, long Count);

/// <summary>The answer to a "most …" question: the counts in descending order, and the leaders (more than one on a tie).</summary>
/// <param name="Sql">The statement that computed it.</param>
/// <param name="Rows">The counts, highest first (at most the query's row limit).</param>
/// <param name="Truncated">True when there were more rows than the row limit.</param>
public sealed record Ranking(string Sql, IReadOnlyList<CountedValue> Rows, bool Truncated)
{
    /// <summary>Every value with the highest count: one, or several on a tie; empty when there are no events.</summary>
    public IReadOnlyList<CountedValue> Leaders => Rows.Count == 0 ? [] : Rows.TakeWhile(r => r.Count == Rows[0].Count).ToArray();

    /// <summary>Whether more than one value shares the highest count.</summary>
    public bool IsTie => Leaders.Count > 1;

    /// <summary>All events counted (of the rows read).</summary>
    public long Total => Rows.Sum(r => r.Count);
}

/// <summary>Events per device platform, from the <c>user_agent</c> of purchases and guild joins.</summary>
/// <param name="PurchasesSql">The statement counting purchases per user agent.</param>
/// <param name="GuildJoinsSql">The statement counting guild joins per user agent.</param>
/// <param name="ByUserAgent">Events per user agent, purchases and joins together, highest first.</param>
/// <param name="ByPlatform">Events per platform (the part of <c>ME3_{platform}/{version}</c>, e.g. <c>ios</c>), highest
/// first; <c>other</c> for agents of another shape, so nothing is left out.</param>
public sealed record PlatformSplit(string PurchasesSql, string GuildJoinsSql, IReadOnlyList<CountedValue> ByUserAgent, IReadOnlyList<CountedValue> ByPlatform)
{
    /// <summary>The platform name for agents that are not <c>ME3_{platform}/{version}</c>.</summary>
    public const string Other = "other";

    /// <summary>Events from iOS.</summary>
    public long Ios => CountOf("ios");

    /// <summary>Events from Android.</summary>
    public long Android => CountOf("android");

    /// <summary>All events counted.</summary>
    public long Total => ByPlatform.Sum(p => p.Count);

    /// <summary>Events of one platform.</summary>
    /// <param name="platform">The platform, lower case (<c>ios</c>, <c>android</c>, <c>other</c>…).</param>
    /// <returns>Its events.</returns>
    public long CountOf(string platform) => ByPlatform.Where(p => string.Equals(p.Value, platform, StringComparison.Ordinal)).Sum(p => p.Count);
}

/// <summary>How many rows a table holds.</summary>
/// <param name="Table">The table.</param>
/// <param name="Rows">Its rows.</param>
/// <param name="Files">Its Parquet files, when the lake is read directly (null through a remote engine).</param>
public sealed record TableCount(string Table, long Rows, int? Files);

/// <summary>The business questions of Mid-EVIL III, answered from the lake.</summary>
/// <param name="MostPopularSword">Sword purchases per sword.</param>
/// <param name="TopBuyer">Sword purchases per player.</param>
/// <param name="Platforms">iOS vs Android.</param>
/// <param name="Tables">Rows per table.</param>
/// <param name="AsOf">When the questions were asked (UTC).</param>
/// <param name="Engine">The engine that answered.</param>
public sealed record LakeAnswers(Ranking MostPopularSword, Ranking TopBuyer, PlatformSplit Platforms, IReadOnlyList<TableCount> Tables, DateTime AsOf, string Engine);
