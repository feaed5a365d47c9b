using System.CommandLine;
using System.Globalization;
using System.Numerics;

namespace Me3.Samples.Support;

/// <summary>Option validators that report one plain line naming the option and what it must be.</summary>
internal static class OptionChecks
{
    public static Option<T> InRange<T>(this Option<T> option, T min, T max)
        where T : INumber<T>
    {
        option.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<T>();
            if (value < min || value > max)
            {
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be between {min} and {max}, not {value}."));
            }
        });
        return option;
    }

    public static Option<T> Positive<T>(this Option<T> option)
        where T : INumber<T>
    {
        option.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<T>();
            if (value <= T.Zero)
            {
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be positive, not {value}."));
            }
        });
        return option;
    }

    /// <summary>The option names an existing file (not a directory).</summary>
    public static Option<FileInfo?> ExistingFile(this Option<FileInfo?> option)
    {
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<FileInfo?>() is not { } file)
            {
                return;
            }

            if (Directory.Exists(file.FullName))
            {
                r.AddError($"{option.Name} '{file.FullName}' is a directory; give a JSON-lines file.");
            }
            else if (!file.Exists)
            {
                r.AddError($"{option.Name} '{file.FullName}' does not exist.");
            }
        });
        return option;
    }

    /// <summary>The option names a directory or a path where one can be made (not an existing file).</summary>
    public static Option<DirectoryInfo> NotAFile(this Option<DirectoryInfo> option)
    {
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<DirectoryInfo>() is { } directory && File.Exists(directory.FullName))
            {
                r.AddError($"{option.Name} '{directory.FullName}' is a file; give a directory (it is created if missing).");
            }
        });
        return option;
    }
}
