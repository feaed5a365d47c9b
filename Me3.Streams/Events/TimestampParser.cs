using System.Buffers.Text;
using System.Globalization;

namespace Me3.Streams.Events;

/// <summary>
/// Parses event timestamps to UTC with millisecond precision: ISO-8601 text (<c>2021-07-28T20:10:56.123Z</c>,
/// with or without fraction, offset or <c>T</c>), or Unix epoch numbers (seconds below 10^11, else milliseconds).
/// </summary>
internal static class TimestampParser
{
    private static readonly long MinEpochMs = (DateTime.MinValue - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond;
    private static readonly long MaxEpochMs = (DateTime.MaxValue - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond;

    public static bool TryParseText(ReadOnlySpan<byte> utf8, out DateTime utc)
    {
        if (TryParseIsoFast(utf8, out utc))
        {
            return true;
        }

        Span<char> chars = stackalloc char[64];
        if (utf8.Length > chars.Length)
        {
            return false;
        }

        var n = System.Text.Encoding.UTF8.GetChars(utf8, chars);
        return TryParseText(chars[..n], out utc);
    }

    public static bool TryParseText(ReadOnlySpan<char> text, out DateTime utc)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var dto))
        {
            utc = TruncateToMs(dto.UtcDateTime);
            return true;
        }

        utc = default;
        return false;
    }

    public static bool TryParseNumber(ReadOnlySpan<byte> utf8, out DateTime utc)
    {
        utc = default;
        if (!Utf8Parser.TryParse(utf8, out double value, out var consumed) || consumed != utf8.Length || !double.IsFinite(value))
        {
            return false;
        }

        var ms = Math.Abs(value) < 1e11 ? value * 1000 : value;
        if (ms < MinEpochMs || ms > MaxEpochMs)
        {
            return false;
        }

        utc = DateTime.UnixEpoch.AddTicks((long)Math.Floor(ms) * TimeSpan.TicksPerMillisecond);
        return true;
    }

    public static DateTime TruncateToMs(DateTime utc) =>
        new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    // yyyy-MM-ddTHH:mm:ss[.fraction][Z|+hh:mm|-hh:mm]: what the game API and most producers write.
    private static bool TryParseIsoFast(ReadOnlySpan<byte> s, out DateTime utc)
    {
        utc = default;
        if (s.Length < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day) ||
            !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
        {
            return false;
        }

        var i = 19;
        long fractionTicks = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var start = i;
            long scale = TimeSpan.TicksPerSecond;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                scale /= 10;
                fractionTicks += (s[i] - '0') * scale;
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        var offsetMinutes = 0;
        if (i < s.Length)
        {
            if (s[i] == 'Z' && i == s.Length - 1)
            {
                i++;
            }
            else if ((s[i] == '+' || s[i] == '-') && s.Length - i == 6 && s[i + 3] == ':' &&
                     Digits(s, i + 1, 2, out var oh) && Digits(s, i + 4, 2, out var om) && oh <= 23 && om <= 59)
            {
                offsetMinutes = (oh * 60 + om) * (s[i] == '+' ? 1 : -1);
                i = s.Length;
            }
            else
            {
                return false;
            }
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, year), month) || year < 1 ||
            hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fractionTicks -
                    offsetMinutes * TimeSpan.TicksPerMinute;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        utc = TruncateToMs(new DateTime(ticks, DateTimeKind.Utc));
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d > 9)
            {
                return false;
            }

            value = value * 10 + (int)d;
        }

        return true;
    }
}
