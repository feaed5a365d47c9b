namespace Me3.Streams.Settings;

/// <summary>How the committer batches offset commits. Immutable; change it with the <c>With*</c> methods.</summary>
public sealed record CommitterSettings
{
    /// <summary>The defaults: commit every 1,000 positions or every second, whichever comes first.</summary>
    public static CommitterSettings Default { get; } = new();

    /// <summary>Commit when this many positions are waiting.</summary>
    public int MaxBatch { get; init; } = 1_000;

    /// <summary>Commit at least this often while positions are waiting.</summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Returns a copy with another batch size.</summary>
    /// <param name="maxBatch">Positions per commit.</param>
    /// <returns>The new settings.</returns>
    public CommitterSettings WithMaxBatch(int maxBatch) => this with { MaxBatch = maxBatch };

    /// <summary>Returns a copy with another interval.</summary>
    /// <param name="maxInterval">The longest wait.</param>
    /// <returns>The new settings.</returns>
    public CommitterSettings WithMaxInterval(TimeSpan maxInterval) => this with { MaxInterval = maxInterval };

    /// <summary>Checks the bounds.</summary>
    /// <exception cref="Me3Exception">A bound is out of range.</exception>
    public void Validate()
    {
        SettingsCheck.Require(MaxBatch > 0, "Committer", nameof(MaxBatch), MaxBatch, "must be positive");
        SettingsCheck.Require(MaxInterval > TimeSpan.Zero, "Committer", nameof(MaxInterval), MaxInterval, "must be positive");
    }
}
