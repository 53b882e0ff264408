using System.Globalization;
using PetSeg.Reporting;
using YamlDotNet.RepresentationModel;

namespace PetSeg.Lab.Config;

/// <summary>
/// An experiment's <c>matrix:</c> (<c>{ lr: [0.001, 0.0001], augment: [false, true] }</c>) as the experiments it
/// declares: one per combination, <c>&lt;id&gt;-1</c>, <c>&lt;id&gt;-2</c>, … in the order the lists give (the first key
/// slowest), each the declared mapping with that combination's values set, bound like any experiment.
/// </summary>
internal static class ExperimentMatrix
{
    /// <summary>Settings that are not one value each, or that name the experiment rather than configure it.</summary>
    private static readonly string[] Fixed = ["title", "matrix", "seeds", "cluster", "vit", "refit"];

    public static IEnumerable<(string Id, YamlSection Section, MatrixCell Cell)> Expand(
        string id, YamlSection declared, IReadOnlyList<(YamlScalarNode Key, IReadOnlyList<YamlScalarNode> Values)> matrix)
    {
        if (matrix.FirstOrDefault(m => Fixed.Contains(m.Key.Value)) is { Key: not null } bad)
            throw declared.Error("matrix", $"a matrix varies single settings (lr, epochs, optimizer, augment, model, …), not '{bad.Key.Value}'");
        IEnumerable<List<(YamlScalarNode Key, YamlScalarNode Value)>> cells = [[]];
        foreach (var (key, values) in matrix)
            cells = cells.SelectMany(c => values.Select(v => new List<(YamlScalarNode, YamlScalarNode)>(c) { (key, v) }));
        var all = cells.ToList();
        var digits = all.Count.ToString(CultureInfo.InvariantCulture).Length;
        var title = declared.String("title", id)!;
        return all.Select((cell, i) =>
        {
            var label = string.Join(", ", cell.Select(c => $"{c.Key.Value}={c.Value.Value}"));
            return ($"{id}-{(i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0')}",
                declared.With($"{declared.Path}[{label}]", cell, without: ["matrix", "refit"]), new MatrixCell(id, title, label));
        });
    }

    /// <summary>A matrix's runs as a report table: one row per combination (seeds share a row), labelled with its values.</summary>
    public static ReportTable Table(string title, IEnumerable<ExperimentConfig> runs) =>
        new(title, [.. runs.DistinctBy(e => e.ExperimentId).Select(e => new ReportRow(e.Matrix!.Label, e.ExperimentId))]) { Matrix = true };
}
