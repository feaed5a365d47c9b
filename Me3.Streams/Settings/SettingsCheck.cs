using System.Globalization;

namespace Me3.Streams.Settings;

/// <summary>The one way settings records reject a value: a <see cref="Me3Exception"/> naming the setting and the value.</summary>
internal static class SettingsCheck
{
    public static void Require(bool ok, string settings, string name, object? value, string what)
    {
        if (!ok)
        {
            throw new Me3Exception(string.Create(CultureInfo.InvariantCulture, $"{settings} setting {name} {what} (was {value})."));
        }
    }
}
