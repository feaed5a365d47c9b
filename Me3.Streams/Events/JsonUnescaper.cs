using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Me3.Streams.Events;

/// <summary>
/// Unescapes the raw text of a JSON string (as <see cref="System.Text.Json.Utf8JsonReader.ValueSpan"/> holds it,
/// escapes already checked by the reader) into UTF-8. Unlike <c>Utf8JsonReader.GetString</c> it never throws: a
/// lone or reversed UTF-16 surrogate escape (<c>"\ud800"</c>, what a client that cut an emoji in half sends) becomes
/// U+FFFD, so the event still lands and <c>raw_event</c> keeps the original text.
/// </summary>
internal static class JsonUnescaper
{
    private static ReadOnlySpan<byte> Replacement => "\uFFFD"u8;

    /// <summary>The unescaped value as a string.</summary>
    public static string ToText(ReadOnlySpan<byte> escaped)
    {
        var rented = escaped.Length <= 256 ? null : ArrayPool<byte>.Shared.Rent(escaped.Length);
        try
        {
            // An escape never unescapes to more UTF-8 bytes than its own text (\uXXXX: 6 bytes -> at most 3).
            Span<byte> buffer = rented ?? stackalloc byte[256];
            var n = Unescape(escaped, buffer);
            return Encoding.UTF8.GetString(buffer[..n]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Unescapes into <paramref name="destination"/> (at least as long as the input); returns the bytes written.</summary>
    public static int Unescape(ReadOnlySpan<byte> escaped, Span<byte> destination)
    {
        var written = 0;
        var i = 0;
        while (i < escaped.Length)
        {
            var backslash = escaped[i..].IndexOf((byte)'\\');
            if (backslash < 0)
            {
                escaped[i..].CopyTo(destination[written..]);
                return written + escaped.Length - i;
            }

            escaped.Slice(i, backslash).CopyTo(destination[written..]);
            written += backslash;
            i += backslash;
            if (i + 1 >= escaped.Length)
            {
                destination[written++] = (byte)'\\'; // cannot happen after the reader's checks; keep the text
                return written;
            }

            var kind = escaped[i + 1];
            if (kind != 'u')
            {
                destination[written++] = kind switch
                {
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    _ => kind, // \" \\ \/
                };
                i += 2;
                continue;
            }

            if (!TryHex(escaped, i + 2, out var unit))
            {
                escaped.Slice(i, Math.Min(2, escaped.Length - i)).CopyTo(destination[written..]); // not reachable after the reader's checks
                written += Math.Min(2, escaped.Length - i);
                i += 2;
                continue;
            }

            i += 6;
            int scalar;
            if (char.IsHighSurrogate((char)unit) && i + 1 < escaped.Length && escaped[i] == '\\' && escaped[i + 1] == 'u'
                && TryHex(escaped, i + 2, out var low) && char.IsLowSurrogate((char)low))
            {
                scalar = char.ConvertToUtf32((char)unit, (char)low);
                i += 6;
            }
            else if (char.IsSurrogate((char)unit))
            {
                Replacement.CopyTo(destination[written..]);
                written += Replacement.Length;
                continue;
            }
            else
            {
                scalar = unit;
            }

            written += new Rune(scalar).EncodeToUtf8(destination[written..]);
        }

        return written;
    }

    private static bool TryHex(ReadOnlySpan<byte> text, int start, out int value)
    {
        value = 0;
        return start + 4 <= text.Length
            && Utf8Parser.TryParse(text.Slice(start, 4), out ushort parsed, out var consumed, 'x')
            && consumed == 4
            && (value = parsed) >= 0;
    }
}
