using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using PetSeg.Core;

namespace PetSeg.Lab.Config;

/// <summary>
/// Reads a YAML file into a node tree, turning every syntax problem into a <see cref="ConfigException"/> with the
/// real <c>file:line:column</c>. A first pass over the parser's events (an iterative state machine) checks nesting
/// before YamlDotNet's recursive tree builder runs, so a hostile file cannot overflow the stack.
/// </summary>
public static class YamlDocumentReader
{
    /// <summary>Far above any real pipeline.yaml (which nests 5 deep) and far below what overflows the stack.</summary>
    public const int MaxDepth = 64;

    public static YamlStream Read(string file)
    {
        var text = File.ReadAllText(file);
        CheckEvents(file, text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw SyntaxError(file, text, e, Mark.Empty);
        }
        return stream;
    }

    private static void CheckEvents(string file, string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        var last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                last = ev.Start;
                if (ev is MappingStart or SequenceStart && ++depth > MaxDepth)
                    throw new ConfigException($"{file}:{ev.Start.Line}:{ev.Start.Column}: YAML nested deeper than {MaxDepth} levels; " +
                        "pipeline.yaml needs at most a few. Check for unbalanced '[' or '{'.");
                if (ev is MappingEnd or SequenceEnd) depth--;
            }
        }
        catch (YamlException e)
        {
            throw SyntaxError(file, text, e, last);
        }
    }

    private static ConfigException SyntaxError(string file, string text, YamlException e, Mark lastGood)
    {
        var reason = e.InnerException?.Message ?? e.Message;
        var (line, column) = (e.Start.Line, e.Start.Column);
        // Some scanner errors (a tab in indentation) carry no position; find the tab from the last good event on.
        if (e.Start.Index == 0 && reason.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndent(text, (int)lastGood.Line) is { } tabLine)
            (line, column) = (tabLine, 1);
        var advice = reason.Contains("tab", StringComparison.OrdinalIgnoreCase) ? " Indent with spaces; YAML does not allow tabs there." : "";
        return new ConfigException($"{file}:{line}:{column}: YAML syntax error: {reason}{advice}");
    }

    private static int? FirstTabIndent(string text, int fromLine)
    {
        var lines = text.Split('\n');
        for (var i = Math.Max(0, fromLine - 1); i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            if (lines[i].AsSpan(0, indent).Contains('\t')) return i + 1;
        }
        return null;
    }
}
