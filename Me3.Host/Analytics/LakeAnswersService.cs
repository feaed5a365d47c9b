using Me3.Host.Configuration;
using Me3.Streams.Query;
using Microsoft.Extensions.Options;

namespace Me3.Host.Analytics;

/// <summary>
/// The business answers from the lake, computed by the embedded engine and reused for
/// <see cref="AnalyticsOptions.AnswersCacheSeconds"/>, so that the dashboard's many viewers cost one computation.
/// Concurrent callers of a stale cache share one computation.
/// </summary>
public sealed class LakeAnswersService : IDisposable
{
    private readonly IQueryEngine _engine;
    private readonly LakeCatalog _catalog;
    private readonly QueryOptions _queryOptions;
    private readonly TimeSpan _reuse;
    private readonly SemaphoreSlim _computing = new(1, 1);
    private (LakeAnswers Answers, long At)? _last;

    /// <summary>Creates the service.</summary>
    /// <param name="engine">The embedded engine.</param>
    /// <param name="catalog">The lake's tables.</param>
    /// <param name="options">The settings.</param>
    public LakeAnswersService(IQueryEngine engine, LakeCatalog catalog, IOptions<Me3Options> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _engine = engine;
        _catalog = catalog;
        var analytics = options.Value.Analytics;
        _queryOptions = QueryOptions.Default.WithTimeout(TimeSpan.FromSeconds(analytics.QueryTimeoutSeconds)).WithMaxRows(analytics.MaxRows);
        _reuse = TimeSpan.FromSeconds(analytics.AnswersCacheSeconds);
    }

    /// <summary>The answers, at most <see cref="AnalyticsOptions.AnswersCacheSeconds"/> old.</summary>
    /// <param name="cancellationToken">Stops waiting (the computation goes on for the others).</param>
    /// <returns>The answers.</returns>
    /// <exception cref="QueryException">The lake could not be queried.</exception>
    public async Task<LakeAnswers> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } cached)
        {
            return cached;
        }

        await _computing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } computedMeanwhile)
            {
                return computedMeanwhile;
            }

            var answers = await new BusinessQuestions(_engine, _queryOptions).AnswerAllAsync(_catalog, CancellationToken.None).ConfigureAwait(false);
            _last = (answers, Environment.TickCount64);
            return answers;
        }
        finally
        {
            _computing.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _computing.Dispose();

    private LakeAnswers? Fresh() =>
        _last is { } last && Environment.TickCount64 - last.At < _reuse.TotalMilliseconds ? last.Answers : null;
}
