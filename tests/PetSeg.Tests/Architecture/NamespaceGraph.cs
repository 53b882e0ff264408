using System.Reflection;
using System.Reflection.Emit;

namespace PetSeg.Tests.Architecture;

/// <summary>
/// Which namespace of an assembly uses which, read from the compiled types: base types, interfaces, fields,
/// signatures, attributes and the tokens in every method body (calls, field accesses, casts, allocations).
/// </summary>
public static class NamespaceGraph
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Edges (from namespace → to namespace) with how many distinct type pairs make each.</summary>
    public static SortedDictionary<(string From, string To), int> Build(Assembly assembly, Func<string, string?> group)
    {
        var pairs = new HashSet<(Type, Type)>();
        foreach (var type in assembly.GetTypes())
            foreach (var used in Uses(type))
                if (used.Assembly == assembly) pairs.Add((Outermost(type), Outermost(used)));
        var edges = new SortedDictionary<(string, string), int>();
        foreach (var (a, b) in pairs)
        {
            var from = group(a.Namespace ?? "");
            var to = group(b.Namespace ?? "");
            if (from is null || to is null || from == to) continue;
            edges[(from, to)] = edges.GetValueOrDefault((from, to)) + 1;
        }
        return edges;
    }

    /// <summary>The type pairs behind one edge, for an error message that says what to move.</summary>
    public static IEnumerable<string> Witnesses(Assembly assembly, Func<string, string?> group, string from, string to) =>
        assembly.GetTypes().SelectMany(t => Uses(t).Where(u => u.Assembly == assembly).Select(u => (A: Outermost(t), B: Outermost(u))))
            .Where(p => group(p.A.Namespace ?? "") == from && group(p.B.Namespace ?? "") == to)
            .Select(p => $"{p.A.FullName} → {p.B.FullName}").Distinct().Order();

    private static Type Outermost(Type t)
    {
        while (t.IsNested) t = t.DeclaringType!;
        return t;
    }

    private static IEnumerable<Type> Uses(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (t.IsGenericType && !t.IsGenericTypeDefinition) foreach (var a in t.GetGenericArguments()) Add(a);
            if (t.IsGenericParameter) return;
            found.Add(t.IsGenericType ? t.GetGenericTypeDefinition() : t);
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var a in type.CustomAttributes) Add(a.AttributeType);
        foreach (var f in type.GetFields(All)) Add(f.FieldType);
        foreach (var p in type.GetProperties(All)) Add(p.PropertyType);
        foreach (var m in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            foreach (var t in BodyTypes(m)) Add(t);
        }
        foreach (var n in type.GetNestedTypes(All)) foreach (var t in Uses(n)) found.Add(t);
        return found;
    }

    private static IEnumerable<Type> BodyTypes(MethodBase m)
    {
        foreach (var member in BodyMembers(m))
            switch (member)
            {
                case Type t: yield return t; break;
                case MethodBase mb:
                    if (mb.DeclaringType is { } d) yield return d;
                    if (mb is MethodInfo r) yield return r.ReturnType;
                    foreach (var p in mb.GetParameters()) yield return p.ParameterType;
                    break;
                case FieldInfo f:
                    if (f.DeclaringType is { } fd) yield return fd;
                    yield return f.FieldType;
                    break;
            }
    }

    /// <summary>The methods a type's code calls, its nested types' included (lambdas, local functions, async state machines).</summary>
    public static IEnumerable<MethodBase> Calls(Type type) =>
        type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)).SelectMany(BodyMembers).OfType<MethodBase>()
            .Concat(type.GetNestedTypes(All).SelectMany(Calls)).Distinct();

    /// <summary>The methods one method's body calls.</summary>
    public static IEnumerable<MethodBase> CallsIn(MethodBase method) => BodyMembers(method).OfType<MethodBase>();

    /// <summary>The members a method body names: what it calls, reads, writes, casts to and allocates.</summary>
    private static IEnumerable<MemberInfo> BodyMembers(MethodBase m)
    {
        byte[]? il;
        try { il = m.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception) { yield break; }
        if (il is null) yield break;
        var module = m.Module;
        Type[]? typeArgs = m.DeclaringType?.IsGenericType == true ? m.DeclaringType.GetGenericArguments() : null;
        Type[]? methodArgs = m.IsGenericMethod ? m.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            OpCode op;
            if (il[i] == 0xFE) { op = OpCodesByValue[(short)(0xFE00 | il[i + 1])]; i += 2; }
            else { op = OpCodesByValue[il[i]]; i += 1; }
            int size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                MemberInfo? member = null;
                try { member = module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs); }
                catch (Exception) { }
                if (member is not null) yield return member;
            }
            i += size;
        }
    }
}
