using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Me3.Streams;

namespace Me3.Host.Dashboard;

/// <summary>
/// Reads the library's instruments (the <see cref="Me3Metrics.MeterName"/> meter, the ones OpenTelemetry exports at
/// <c>/metrics</c>) in this process with a <see cref="MeterListener"/>: counters are summed per series from the moment
/// the reader starts, observable gauges are observed when a reading is taken. The dashboard computes no number of the
/// ingestion another way; rates come from successive readings of these counters.
/// </summary>
internal sealed class Me3MeterReader : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, CounterSeries> _counters = new(StringComparer.Ordinal);
    private readonly Lock _reading = new();
    private List<MeasuredValue>? _observed;

    public Me3MeterReader()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Histograms are left to the exporter: the dashboard shows totals, rates and gauges.
            if (instrument.Meter.Name == Me3Metrics.MeterName && (instrument.IsObservable || instrument is Counter<long>))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Measured(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Measured(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Every counter's total and every gauge's current value, now.</summary>
    public MeterReading Read()
    {
        lock (_reading)
        {
            // Observable instruments report synchronously, on this thread, into _observed.
            _observed = [];
            _listener.RecordObservableInstruments();
            var observed = _observed;
            _observed = null;
            return new MeterReading(DateTime.UtcNow, Environment.TickCount64, [.. _counters.Values.Select(c => c.Value), .. observed]);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Measured(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (instrument.IsObservable)
        {
            _observed?.Add(new MeasuredValue(instrument.Name, Tags(tags), value));
            return;
        }

        var key = new StringBuilder(instrument.Name);
        foreach (var tag in tags)
        {
            key.Append('|').Append(tag.Key).Append('=').Append(Convert.ToString(tag.Value, CultureInfo.InvariantCulture));
        }

        var name = key.ToString();
        if (!_counters.TryGetValue(name, out var series))
        {
            series = _counters.GetOrAdd(name, new CounterSeries(instrument.Name, Tags(tags)));
        }

        series.Add((long)value);
    }

    private static Dictionary<string, string> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, string>(tags.Length, StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            map[tag.Key] = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
        }

        return map;
    }

    private sealed class CounterSeries(string instrument, IReadOnlyDictionary<string, string> tags)
    {
        private long _total;

        public MeasuredValue Value => new(instrument, tags, Interlocked.Read(ref _total));

        public void Add(long value) => Interlocked.Add(ref _total, value);
    }
}

/// <summary>One series' value: a counter's total since the reader started, or a gauge's current value.</summary>
/// <param name="Instrument">The instrument's name (<c>me3_lake_rows_landed</c>).</param>
/// <param name="Tags">The series' labels.</param>
/// <param name="Value">The value.</param>
internal sealed record MeasuredValue(string Instrument, IReadOnlyDictionary<string, string> Tags, double Value)
{
    /// <summary>A label's value, or null.</summary>
    public string? Tag(string name) => Tags.GetValueOrDefault(name);
}

/// <summary>All series at one moment.</summary>
/// <param name="At">When (UTC).</param>
/// <param name="Ticks">When, on the monotonic clock (<see cref="Environment.TickCount64"/>), for rates.</param>
/// <param name="Values">The series.</param>
internal sealed record MeterReading(DateTime At, long Ticks, IReadOnlyList<MeasuredValue> Values)
{
    /// <summary>The series of one instrument, optionally only those whose <paramref name="tag"/> is <paramref name="value"/>.</summary>
    public IEnumerable<MeasuredValue> Of(string instrument, string? tag = null, string? value = null) =>
        Values.Where(v => v.Instrument == instrument && (tag is null || v.Tag(tag) == value));

    /// <summary>The sum of those series.</summary>
    public long Sum(string instrument, string? tag = null, string? value = null) => (long)Of(instrument, tag, value).Sum(v => v.Value);
}
