namespace Me3.Streams.Kafka;

/// <summary>
/// Passes on the first warning at once and then at most one every <see cref="Interval"/>, saying how many were held
/// back: an unreachable broker makes librdkafka report the same trouble many times a second.
/// </summary>
internal sealed class RateLimitedLog(Action<string> write)
{
    private readonly Lock _gate = new();
    private long _last = long.MinValue;
    private int _held;

    public static TimeSpan Interval { get; } = TimeSpan.FromSeconds(5);

    /// <summary>The last warning, written or held back.</summary>
    public string? Last { get; private set; }

    public void Warn(string message)
    {
        string? line = null;
        lock (_gate)
        {
            Last = message;
            var now = Environment.TickCount64;
            if (_last == long.MinValue || now - _last >= Interval.TotalMilliseconds)
            {
                line = _held == 0 ? message : $"{message} ({_held} more like it in the last {Interval.TotalSeconds:F0} s)";
                _last = now;
                _held = 0;
            }
            else
            {
                _held++;
            }
        }

        if (line is not null)
        {
            write(line);
        }
    }
}
