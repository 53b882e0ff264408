using System.Reflection;
using System.Text.RegularExpressions;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Console;

/// <summary>
/// A command line petseg cannot honour (an unknown or mistyped option, a missing value) is an error, exit code 2, that
/// names the option and the closest known one: a mistyped <c>--exlcusive</c> must not run every stale stage upstream.
/// </summary>
public static class UsageErrors
{
    public const int ExitCode = 2;

    /// <summary>Spectre's handler: usage errors → one line and exit 2; anything else as Spectre shows it, exit -1 (its default).</summary>
    public static int Handle(Exception e)
    {
        if (e is CommandParseException or CommandRuntimeException)
        {
            System.Console.Error.WriteLine($"error: {Describe(e.Message)}");
            System.Console.Error.WriteLine("       see 'petseg --help' or 'petseg <command> --help'");
            return ExitCode;
        }
        Spectre.Console.AnsiConsole.WriteException(e, Spectre.Console.ExceptionFormats.ShortenEverything);
        return -1;
    }

    /// <summary>The parser's message, with the closest known option when it names an unknown one.</summary>
    public static string Describe(string message)
    {
        var m = Regex.Match(message, "Unknown option '([^']+)'");
        if (!m.Success) return message;
        var unknown = m.Groups[1].Value.TrimStart('-');
        var closest = Closest(unknown);
        if (closest == unknown) return $"this command takes no --{unknown} (other commands do): its --help lists what it takes"; // not "did you mean --out?"
        return $"unknown option --{unknown}" + (closest is null ? "" : $"; did you mean --{closest}?");
    }

    /// <summary>
    /// An option that takes a value given without one (<c>status --profile</c>, or <c>--profile --json</c>), or an empty
    /// one (<c>--out "$OUT"</c> with OUT unset): the message, or null. Spectre would otherwise take the next token, or an
    /// internal one, as the value, and an empty path was a stack trace from deep inside a command.
    /// </summary>
    public static string? MissingValue(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(args[i]))
                return i > 0 && ValuedOptions.Contains(args[i - 1]) ? $"option {args[i - 1]} needs a value (it is empty: an unset variable?)"
                    : $"argument {i + 1} is empty (an unset variable?)";
            if (!ValuedOptions.Contains(args[i])) continue;
            bool missing = i == args.Count - 1 || (args[i + 1].StartsWith('-') && (ValuedOptions.Contains(args[i + 1]) || Flags.Contains(args[i + 1])));
            if (missing) return $"option {args[i]} needs a value{(i == args.Count - 1 ? "" : $" (it is followed by {args[i + 1]})")}";
        }
        return null;
    }

    /// <summary>Every option any command declares, as typed (long and short), and whether it takes a value: one reflection pass.</summary>
    private static readonly IReadOnlyList<(string Name, bool Valued)> Options = typeof(UsageErrors).Assembly.GetTypes()
        .Where(t => typeof(CommandSettings).IsAssignableFrom(t))
        .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        .Select(p => p.GetCustomAttribute<CommandOptionAttribute>()).OfType<CommandOptionAttribute>()
        .SelectMany(a => a.LongNames.Select(n => "--" + n).Concat(a.ShortNames.Select(n => "-" + n)).Select(n => (n, a.ValueName is not null && !a.ValueIsOptional))).ToList();

    /// <summary>Options that take a value (<c>--profile &lt;NAME&gt;</c>), as typed, long and short.</summary>
    public static IReadOnlySet<string> ValuedOptions { get; } = Options.Where(o => o.Valued).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>Options that take no value (<c>--json</c>).</summary>
    public static IReadOnlySet<string> Flags { get; } = Options.Where(o => !o.Valued).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every long option any command declares (without its dashes).</summary>
    public static IReadOnlyList<string> KnownOptions { get; } = Options.Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal))
        .Select(n => n[2..]).Distinct().Order(StringComparer.Ordinal).ToList();

    public static string? Closest(string unknown) => PetSeg.Core.ClosestName.Find(unknown, KnownOptions);
}
