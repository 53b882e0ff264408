using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using PetSeg.IO;

namespace PetSeg.Workflow.Graph;

/// <summary>
/// The content hash that identifies a stage's result: XxHash128 over the kind, the code version, every parameter
/// and every input digest. Each field is length-prefixed (so "ab"+"c" ≠ "a"+"bc") and the dictionaries are sorted by
/// key (so declaration order does not matter).
/// </summary>
public static class StageKey
{
    public static string Compute(string kind, string codeVersion, IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, string> inputs)
    {
        var hash = new XxHash128();
        void Field(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(len, bytes.Length);
            hash.Append(len);
            hash.Append(bytes);
        }
        void Map(string tag, IReadOnlyDictionary<string, string> map)
        {
            Field(tag);
            Field(map.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal)) { Field(k); Field(v); }
        }
        Field("petseg-stage-key-1");
        Field(kind);
        Field(codeVersion);
        Map("params", parameters);
        Map("inputs", inputs);
        return Digest.Format(hash.GetCurrentHash());
    }
}
