using YamlDotNet.RepresentationModel;

namespace PetSeg.Lab.Config;

/// <summary>Deep-merges a profile's mapping over the base: mappings merge key by key, anything else replaces.</summary>
internal static class YamlOverlay
{
    public static YamlMappingNode Merge(YamlMappingNode baseNode, YamlMappingNode overlay)
    {
        var result = new YamlMappingNode();
        foreach (var (k, v) in baseNode.Children) result.Children[k] = v;
        foreach (var (k, v) in overlay.Children)
        {
            var existing = result.Children.FirstOrDefault(p => p.Key is YamlScalarNode a && k is YamlScalarNode b && a.Value == b.Value);
            if (existing.Key is not null && existing.Value is YamlMappingNode em && v is YamlMappingNode om)
                result.Children[existing.Key] = Merge(em, om);
            else
            {
                if (existing.Key is not null) result.Children.Remove(existing.Key);
                result.Children[k] = v;
            }
        }
        return result;
    }
}
