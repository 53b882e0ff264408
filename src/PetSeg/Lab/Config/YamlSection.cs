using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using PetSeg.Core;

namespace PetSeg.Lab.Config;

/// <summary>
/// Typed, position-aware reading of one YAML mapping. Every key read is remembered, so <see cref="RejectUnknown"/>
/// can name a typo with its line and column and list the keys that are allowed.
/// </summary>
internal sealed class YamlSection(string file, string path, YamlMappingNode? node, Mark parentMark, bool positioned = true)
{
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public string Path => path;

    private YamlNode? Get(string key)
    {
        _known.Add(key);
        if (node is null) return null;
        foreach (var (k, v) in node.Children)
            if (k is YamlScalarNode s && s.Value == key) return v is YamlScalarNode { Value: null or "~" or "null" } ? null : v;
        return null;
    }

    /// <summary>Whether <paramref name="key"/> is written here, without making it an allowed key.</summary>
    public bool Has(string key) => node?.Children.Keys.Any(k => k is YamlScalarNode s && s.Value == key) == true;

    /// <summary>Where this mapping starts (a mapping built for a matrix cell has no position of its own: its parent's).</summary>
    private Mark Here => positioned && node is not null ? node.Start : parentMark;

    private string Where(YamlNode n) => $"{file}:{n.Start.Line}:{n.Start.Column}";
    private string Name(string key) => path.Length == 0 ? key : $"{path}.{key}";

    public ConfigException Error(string key, string message)
    {
        var n = Get(key);
        var at = n is null ? $"{file}:{parentMark.Line}:{parentMark.Column}" : Where(n);
        return new ConfigException($"{at}: {Name(key)}: {message}");
    }

    /// <summary>An error at one node inside <paramref name="key"/> (an item of its list, a key of its mapping), named <c>key.sub</c>.</summary>
    public ConfigException ErrorAt(YamlNode n, string key, string message) => new($"{Where(n)}: {Name(key)}: {message}");

    public string? String(string key, string? fallback = null) => Get(key) switch
    {
        null => fallback,
        YamlScalarNode s => s.Value,
        var n => throw new ConfigException($"{Where(n)}: {Name(key)}: expected a string, found a {Kind(n)}"),
    };

    public string Choice(string key, string fallback, params string[] allowed)
    {
        var v = String(key, fallback)!;
        return allowed.Contains(v) ? v : throw Error(key, $"expected one of {string.Join(", ", allowed)}, found '{v}'{ClosestName.Suggestion(v, allowed)}");
    }

    public int Int(string key, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var n = Get(key);
        if (n is null) return fallback;
        if (n is YamlScalarNode s && int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            return v >= min && v <= max ? v : throw new ConfigException($"{Where(n)}: {Name(key)}: {v} is outside {min}..{max}");
        throw new ConfigException($"{Where(n)}: {Name(key)}: expected an integer, found {Describe(n)}");
    }

    public long? Long(string key)
    {
        var n = Get(key);
        if (n is null) return null;
        if (n is YamlScalarNode s && long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) return v;
        throw new ConfigException($"{Where(n)}: {Name(key)}: expected an integer, found {Describe(n)}");
    }

    public double Double(string key, double fallback, double min = double.MinValue, double max = double.MaxValue)
    {
        var n = Get(key);
        if (n is null) return fallback;
        if (n is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            return v >= min && v <= max ? v : throw new ConfigException($"{Where(n)}: {Name(key)}: {v} is outside {min}..{max}");
        throw new ConfigException($"{Where(n)}: {Name(key)}: expected a number, found {Describe(n)}");
    }

    public bool Bool(string key, bool fallback)
    {
        var n = Get(key);
        if (n is null) return fallback;
        if (n is YamlScalarNode s && bool.TryParse(s.Value, out var v)) return v;
        throw new ConfigException($"{Where(n)}: {Name(key)}: expected true or false, found {Describe(n)}");
    }

    public IReadOnlyList<string> StringList(string key)
    {
        var n = Get(key);
        return n switch
        {
            null => [],
            YamlScalarNode s => [s.Value!],
            YamlSequenceNode seq => seq.Children.Select(c => c is YamlScalarNode cs ? cs.Value! :
                throw new ConfigException($"{Where(c)}: {Name(key)}: expected a list of strings, found a {Kind(c)} item")).ToList(),
            _ => throw new ConfigException($"{Where(n)}: {Name(key)}: expected a list of strings, found a {Kind(n)}"),
        };
    }

    /// <summary>A folder or a list of them, each absolute, <c>~/…</c> (the home folder) or relative to <paramref name="baseDir"/>.</summary>
    public IReadOnlyList<string> Folders(string key, string baseDir) => StringList(key).Select(f =>
        System.IO.Path.GetFullPath(f == "~" || f.StartsWith("~/", StringComparison.Ordinal)
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), f.TrimStart('~').TrimStart('/'))
            : System.IO.Path.Combine(baseDir, f))).ToList();

    public YamlSection Section(string key)
    {
        var n = Get(key);
        return n switch
        {
            null => new YamlSection(file, Name(key), null, Here),
            YamlMappingNode m => new YamlSection(file, Name(key), m, m.Start),
            _ => throw new ConfigException($"{Where(n)}: {Name(key)}: expected a mapping (key: value lines), found a {Kind(n)}"),
        };
    }

    /// <summary>Keys this mapping may hold, before they are read: so <see cref="RejectUnknown"/> can run first (a misspelt section is then named as such, not as the section it left missing).</summary>
    public void Declare(params string[] keys)
    {
        foreach (var k in keys) _known.Add(k);
    }

    /// <summary>The keys of this mapping in file order (a mapping used as a dictionary, e.g. experiments by id).</summary>
    public IReadOnlyList<string> Keys()
    {
        if (node is null) return [];
        var keys = node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value!).ToList();
        foreach (var k in keys) _known.Add(k);
        return keys;
    }

    /// <summary>A required string: missing is an error naming the mapping's position and what was expected.</summary>
    public string Required(string key, string expected)
    {
        var v = String(key);
        if (string.IsNullOrWhiteSpace(v))
            throw new ConfigException($"{file}:{Here.Line}:{Here.Column}: {Name(key)}: missing; expected {expected}");
        return v;
    }

    /// <summary>A list of mappings (e.g. report tables, table rows).</summary>
    public IReadOnlyList<YamlSection> SectionList(string key)
    {
        var n = Get(key);
        return n switch
        {
            null => [],
            YamlSequenceNode seq => seq.Children.Select((c, i) => c is YamlMappingNode m ? new YamlSection(file, $"{Name(key)}[{i}]", m, m.Start) :
                throw new ConfigException($"{Where(c)}: {Name(key)}[{i}]: expected a mapping, found a {Kind(c)}")).ToList(),
            _ => throw new ConfigException($"{Where(n)}: {Name(key)}: expected a list, found a {Kind(n)}"),
        };
    }

    /// <summary>
    /// A mapping of lists (<c>matrix: { lr: [0.001, 0.0001], augment: [false, true] }</c>): each key node with its
    /// scalar values, in file order; empty when absent. A key without values or a value that is not a scalar is an error.
    /// </summary>
    /// <param name="empty">What an empty list is told to be (a matrix's: a setting that gives no runs).</param>
    public IReadOnlyList<(YamlScalarNode Key, IReadOnlyList<YamlScalarNode> Values)> ListMapping(string key, string empty = "an empty list gives no runs")
    {
        var n = Get(key);
        if (n is null) return [];
        if (n is not YamlMappingNode m) throw new ConfigException($"{Where(n)}: {Name(key)}: expected a mapping of lists, e.g. {{ lr: [0.001, 0.0001] }}, found a {Kind(n)}");
        return m.Children.Select(p =>
        {
            var k = p.Key as YamlScalarNode ?? throw new ConfigException($"{Where(p.Key)}: {Name(key)}: expected a setting's name");
            IReadOnlyList<YamlNode> items = p.Value is YamlSequenceNode seq ? seq.Children.ToList() : [p.Value];
            var values = items.Select(v => v as YamlScalarNode ?? throw new ConfigException($"{Where(v)}: {Name(key)}.{k.Value}: expected a list of values, found a {Kind(v)} item")).ToList();
            if (values.Count == 0) throw new ConfigException($"{Where(p.Value)}: {Name(key)}.{k.Value}: {empty}");
            if (values.Select(v => v.Value).Distinct().Count() < values.Count) throw new ConfigException($"{Where(p.Value)}: {Name(key)}.{k.Value}: a value is listed twice");
            return (k, (IReadOnlyList<YamlScalarNode>)values);
        }).ToList();
    }

    /// <summary>
    /// This mapping as <paramref name="path"/>, with <paramref name="values"/> set (replacing the same keys) and
    /// <paramref name="without"/> left out: one cell of a matrix. Errors point at the values' own lines.
    /// </summary>
    public YamlSection With(string path, IEnumerable<(YamlScalarNode Key, YamlScalarNode Value)> values, string[] without)
    {
        var cell = new YamlMappingNode();
        var set = values.ToList();
        if (node is not null)
            foreach (var (k, v) in node.Children)
                if (k is YamlScalarNode s && !without.Contains(s.Value) && set.All(x => x.Key.Value != s.Value)) cell.Children.Add(k, v);
        foreach (var (k, v) in set) cell.Children.Add(k, v);
        return new YamlSection(file, path, cell, Here, positioned: false);
    }

    /// <summary>A double that may be absent (null), for per-experiment overrides of the training defaults.</summary>
    public double? OptionalDouble(string key, double min = double.MinValue, double max = double.MaxValue)
    {
        var n = Get(key);
        return n is null ? null : Double(key, 0, min, max);
    }

    public int? OptionalInt(string key, int min = int.MinValue, int max = int.MaxValue)
    {
        var n = Get(key);
        return n is null ? null : Int(key, 0, min, max);
    }

    public bool? OptionalBool(string key)
    {
        var n = Get(key);
        return n is null ? null : Bool(key, false);
    }

    public void RejectUnknown()
    {
        if (node is null) return;
        foreach (var (k, _) in node.Children)
            if (k is YamlScalarNode s && !_known.Contains(s.Value!))
                throw new ConfigException($"{Where(k)}: unknown key '{s.Value}' in {(path.Length == 0 ? "the top level" : $"'{path}'")}{ClosestName.Suggestion(s.Value!, _known)}. " +
                                          $"Expected one of: {string.Join(", ", _known.Order(StringComparer.Ordinal))}");
    }

    private static string Kind(YamlNode n) => n switch { YamlMappingNode => "mapping", YamlSequenceNode => "list", _ => "scalar" };
    private static string Describe(YamlNode n) => n is YamlScalarNode s ? $"'{s.Value}'" : $"a {Kind(n)}";
}
