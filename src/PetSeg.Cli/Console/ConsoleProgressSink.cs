using System.Diagnostics;
using PetSeg.Core;

namespace PetSeg.Cli.Console;

/// <summary>
/// Lines to stdout; bars redrawn in place on a terminal, or printed every 10% when
/// output is redirected (CI logs stay short and readable).
/// </summary>
public sealed class ConsoleProgressSink : IProgressSink
{
    private static readonly object Gate = new();
    private readonly bool _interactive = !System.Console.IsOutputRedirected;

    public void Info(string line)
    {
        lock (Gate) System.Console.Out.WriteLine(line);
    }

    public IProgressBar Bar(string description, double total, ProgressUnit unit) => new ConsoleBar(this, description, total, unit);

    private sealed class ConsoleBar(ConsoleProgressSink owner, string description, double total, ProgressUnit unit) : IProgressBar
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _lastDraw = TimeSpan.MinValue;
        private int _lastDecile = -1;
        private double _value;
        private string? _detail;

        public void Update(double value, string? detail = null)
        {
            _value = value;
            _detail = detail;
            if (owner._interactive)
            {
                if (_clock.Elapsed - _lastDraw < TimeSpan.FromMilliseconds(100)) return;
                _lastDraw = _clock.Elapsed;
                lock (Gate) System.Console.Out.Write("\r" + Render(40).PadRight(System.Math.Max(System.Console.BufferWidth - 1, 20))[..System.Math.Max(System.Console.BufferWidth - 1, 20)]);
            }
            else if (total > 0)
            {
                int decile = (int)(10 * value / total);
                if (decile > _lastDecile && decile < 10) { _lastDecile = decile; lock (Gate) System.Console.Out.WriteLine(Render(20)); }
            }
        }

        private string Render(int width)
        {
            double secs = System.Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
            double rate = _value / secs;
            string figures = unit == ProgressUnit.Bytes
                ? $"{_value / 1e6:F1}/{total / 1e6:F1} MB {rate / 1e6:F1} MB/s"
                : $"{_value:N0}/{total:N0} {rate:F1}/s";
            string eta = total > 0 && rate > 0 && _value < total ? $" ETA {TimeSpan.FromSeconds((total - _value) / rate):m\\:ss}" : "";
            if (total <= 0) return $"{description} {figures}{(_detail is null ? "" : " " + _detail)}";
            int filled = (int)System.Math.Clamp(width * _value / total, 0, width);
            return $"{description} [{new string('#', filled)}{new string('-', width - filled)}] {100 * _value / total,3:F0}% {figures}{eta}{(_detail is null ? "" : " " + _detail)}";
        }

        public void Dispose()
        {
            if (owner._interactive) lock (Gate) System.Console.Out.Write("\r" + new string(' ', System.Math.Max(System.Console.BufferWidth - 1, 20)) + "\r");
        }
    }
}
