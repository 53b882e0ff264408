using System.Diagnostics;
using PetSeg.Core;
using Spectre.Console;

namespace PetSeg.Cli.Console;

/// <summary>
/// Lines to stdout and progress bars. On a terminal the bars are Spectre.Console's live progress (bar, percentage,
/// speed, elapsed and remaining time) with lines scrolling above them; when output is redirected (CI logs, cluster
/// job logs) each bar prints a plain line every 10 %, so logs stay short and free of terminal control characters.
/// </summary>
public sealed class ConsoleProgressSink : IProgressSink
{
    private static readonly object Gate = new();
    private readonly bool _interactive = !System.Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    private LiveProgress? _live;
    private int _openBars;

    public void Info(string line)
    {
        lock (Gate)
        {
            if (_live is not null) AnsiConsole.MarkupLine(Markup.Escape(line)); // Spectre writes it above the live bars
            else System.Console.Out.WriteLine(line);
        }
    }

    public IProgressBar Bar(string description, double total, ProgressUnit unit)
    {
        if (!_interactive) return new PlainBar(description, total, unit);
        lock (Gate)
        {
            _live ??= new LiveProgress();
            _openBars++;
            return new LiveBar(this, _live.Add(description, total), description, unit);
        }
    }

    private void Closed()
    {
        lock (Gate)
        {
            if (--_openBars > 0 || _live is null) return;
            _live.Dispose();
            _live = null;
        }
    }

    /// <summary>"12/230 4.1/s" or "12.0/800.0 MB 9.5 MB/s", plus a detail such as the running loss.</summary>
    private static string Figures(double value, double total, double seconds, ProgressUnit unit, string? detail)
    {
        double rate = value / Math.Max(seconds, 1e-3);
        var figures = unit == ProgressUnit.Bytes
            ? $"{value / 1e6:F1}/{total / 1e6:F1} MB {rate / 1e6:F1} MB/s"
            : $"{value:N0}/{total:N0} {rate:F1}/s";
        return detail is null ? figures : $"{figures} {detail}";
    }

    /// <summary>One Spectre progress display, running on its own thread for as long as any bar is open.</summary>
    private sealed class LiveProgress : IDisposable
    {
        private readonly TaskCompletionSource<ProgressContext> _context = new();
        private readonly ManualResetEventSlim _stop = new();
        private readonly Task _loop;

        public LiveProgress()
        {
            _loop = Task.Factory.StartNew(() =>
            {
                try
                {
                    AnsiConsole.Progress()
                        .AutoClear(true)
                        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                                 new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                        .Start(ctx =>
                        {
                            _context.TrySetResult(ctx);
                            while (!_stop.Wait(100)) ctx.Refresh();
                        });
                }
                // The terminal hung up (SIGHUP: writes fail with EIO): the display is gone, the work goes on to its stop.
                catch (IOException) { _context.TrySetCanceled(); } // a bar opened after it is told, not left waiting
            }, TaskCreationOptions.LongRunning);
        }

        public ProgressTask Add(string description, double total)
        {
            var task = _context.Task.GetAwaiter().GetResult().AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1));
            task.IsIndeterminate = total <= 0;
            return task;
        }

        public void Dispose()
        {
            _stop.Set();
            _loop.GetAwaiter().GetResult();
            _stop.Dispose();
        }
    }

    private sealed class LiveBar(ConsoleProgressSink owner, ProgressTask task, string description, ProgressUnit unit) : IProgressBar
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public void Update(double value, string? detail = null)
        {
            task.Value = value;
            task.Description = Markup.Escape($"{description} {Figures(value, task.MaxValue, _clock.Elapsed.TotalSeconds, unit, detail)}");
        }

        public void Dispose()
        {
            task.StopTask();
            owner.Closed();
        }
    }

    /// <summary>Redirected output: a line at every 10 % (with rate and ETA), nothing in between.</summary>
    private sealed class PlainBar(string description, double total, ProgressUnit unit) : IProgressBar
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _lastDecile = -1;

        public void Update(double value, string? detail = null)
        {
            if (total <= 0) return;
            int decile = (int)(10 * value / total);
            if (decile <= _lastDecile || decile >= 10) return;
            _lastDecile = decile;
            double secs = _clock.Elapsed.TotalSeconds, rate = value / Math.Max(secs, 1e-3);
            var eta = rate > 0 && value < total ? $" ETA {TimeSpan.FromSeconds((total - value) / rate):m\\:ss}" : "";
            lock (Gate) System.Console.Out.WriteLine($"{description} {100 * value / total,3:F0}% {Figures(value, total, secs, unit, detail)}{eta}");
        }

        public void Dispose() { }
    }
}
