using System.Text;
using Spectre.Console;

namespace PetSeg.Cli.Console;

/// <summary>
/// Console output that survives its terminal: once a terminal hangs up (an SSH connection dropped, a window shut), every
/// write to it fails with EIO — on whichever thread writes first, before the SIGHUP handler has run — and would turn a
/// clean stop into a crash. <see cref="Install"/> makes such writes drop their text; <see cref="Silence"/> (on SIGHUP)
/// sends everything after to nowhere. The training's log file keeps its lines either way.
/// </summary>
public static class DetachedOutput
{
    /// <summary>Wraps stdout and stderr (and Spectre's console, which writes through Console.Out) so a failed write is dropped.</summary>
    public static void Install()
    {
        System.Console.SetOut(new Forgiving(System.Console.Out));
        System.Console.SetError(new Forgiving(System.Console.Error));
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) });
    }

    public static void Silence()
    {
        System.Console.SetOut(TextWriter.Null);
        System.Console.SetError(TextWriter.Null);
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null), Interactive = InteractionSupport.No });
    }

    /// <summary>A writer whose writes and flushes drop their text when the stream under it fails.</summary>
    private sealed class Forgiving(TextWriter inner) : TextWriter
    {
        public override Encoding Encoding => inner.Encoding;
        public override IFormatProvider FormatProvider => inner.FormatProvider;

        private static void Try(Action write)
        {
            try { write(); }
            catch (IOException) { } // the terminal is gone: nobody is left to read it
        }

        public override void Write(char value) => Try(() => inner.Write(value));
        public override void Write(string? value) => Try(() => inner.Write(value));
        public override void Write(char[] buffer, int index, int count) => Try(() => inner.Write(buffer, index, count));
        public override void WriteLine() => Try(inner.WriteLine);
        public override void WriteLine(string? value) => Try(() => inner.WriteLine(value));
        public override void Flush() => Try(inner.Flush);
    }
}
