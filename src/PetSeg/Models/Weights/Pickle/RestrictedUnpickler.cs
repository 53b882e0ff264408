using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace PetSeg.Models.Weights.Pickle;

/// <summary>
/// A pickle virtual machine that never executes anything: it understands the opcodes of protocols 0–5 that
/// <c>torch.save</c> emits, resolves globals only against an allow-list supplied by the caller, and hands every
/// call (REDUCE/NEWOBJ) to the caller's <c>construct</c> function, which builds plain values or refuses.
/// </summary>
public sealed class RestrictedUnpickler(
    Stream stream,
    IReadOnlySet<string> allowedGlobals,
    Func<PickleGlobal, object?[], object?> construct,
    Func<object?, object?> persistentLoad,
    string source)
{
    private static readonly object Mark = new();
    private readonly BinaryReader _in = new(stream, Encoding.UTF8, leaveOpen: true);
    private readonly Dictionary<long, object?> _memo = [];

    public object? Load()
    {
        var stack = new List<object?>();
        var marks = new Stack<int>();
        _memo.Clear();
        while (true)
        {
            long at = stream.CanSeek ? stream.Position : -1;
            byte op = _in.ReadByte();
            switch (op)
            {
                case 0x80: _in.ReadByte(); break;                                  // PROTO
                case 0x95: _in.ReadInt64(); break;                                 // FRAME
                case (byte)'.': return stack.Count == 1 ? stack[0] : Fail<object?>(at, "STOP with a malformed stack");
                case (byte)'(': marks.Push(stack.Count); break;                    // MARK
                case (byte)'0': Pop(stack); break;                                 // POP
                case (byte)'1': stack.RemoveRange(marks.Peek(), stack.Count - marks.Pop()); break; // POP_MARK
                case (byte)'2': stack.Add(stack[^1]); break;                       // DUP
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;
                case 0x89: stack.Add(false); break;
                case (byte)'J': stack.Add((long)_in.ReadInt32()); break;           // BININT
                case (byte)'K': stack.Add((long)_in.ReadByte()); break;            // BININT1
                case (byte)'M': stack.Add((long)_in.ReadUInt16()); break;          // BININT2
                case 0x8a: stack.Add(ReadLong(_in.ReadByte())); break;             // LONG1
                case 0x8b: stack.Add(ReadLong(_in.ReadInt32())); break;            // LONG4
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(_in.ReadBytes(8))); break; // BINFLOAT
                case (byte)'I': stack.Add(ParseIntLine(ReadLine(), at)); break;    // INT (protocol 0; also True/False)
                case (byte)'L': stack.Add(long.Parse(ReadLine().TrimEnd('L'))); break;
                case (byte)'X': stack.Add(ReadUtf8(_in.ReadUInt32())); break;      // BINUNICODE
                case 0x8c: stack.Add(ReadUtf8(_in.ReadByte())); break;             // SHORT_BINUNICODE
                case 0x8d: stack.Add(ReadUtf8(checked((long)_in.ReadUInt64()))); break;
                case (byte)'T': stack.Add(Encoding.Latin1.GetString(_in.ReadBytes(_in.ReadInt32()))); break; // BINSTRING
                case (byte)'U': stack.Add(Encoding.Latin1.GetString(_in.ReadBytes(_in.ReadByte()))); break;  // SHORT_BINSTRING
                case (byte)'B': stack.Add(_in.ReadBytes(_in.ReadInt32())); break;  // BINBYTES
                case (byte)'C': stack.Add(_in.ReadBytes(_in.ReadByte())); break;   // SHORT_BINBYTES
                case (byte)'V': stack.Add(ReadLine()); break;                      // UNICODE (raw-unicode-escape, ASCII here)
                case (byte)'S': stack.Add(ReadLine().Trim('\'', '"')); break;      // STRING
                case (byte)'}': stack.Add(new PickleDict()); break;
                case (byte)']': stack.Add(new List<object?>()); break;
                case (byte)')': stack.Add(Array.Empty<object?>()); break;
                case (byte)'d': stack.Add(ToDict(PopMark(stack, marks))); break;   // DICT
                case (byte)'l': stack.Add(PopMark(stack, marks).ToList()); break;  // LIST
                case (byte)'t': stack.Add(PopMark(stack, marks)); break;           // TUPLE
                case 0x85: stack.Add(new[] { Pop(stack) }); break;
                case 0x86: { var b = Pop(stack); var a = Pop(stack); stack.Add(new[] { a, b }); break; }
                case 0x87: { var c = Pop(stack); var b = Pop(stack); var a = Pop(stack); stack.Add(new[] { a, b, c }); break; }
                case (byte)'q': _memo[_in.ReadByte()] = stack[^1]; break;          // BINPUT
                case (byte)'r': _memo[_in.ReadUInt32()] = stack[^1]; break;        // LONG_BINPUT
                case (byte)'p': _memo[long.Parse(ReadLine())] = stack[^1]; break;  // PUT
                case 0x94: _memo[_memo.Count] = stack[^1]; break;                  // MEMOIZE
                case (byte)'h': stack.Add(Memo(_in.ReadByte(), at)); break;        // BINGET
                case (byte)'j': stack.Add(Memo(_in.ReadUInt32(), at)); break;      // LONG_BINGET
                case (byte)'g': stack.Add(Memo(long.Parse(ReadLine()), at)); break;
                case (byte)'c': stack.Add(Resolve(ReadLine(), ReadLine(), at)); break; // GLOBAL
                case 0x93: { var name = (string)Pop(stack)!; var module = (string)Pop(stack)!; stack.Add(Resolve(module, name, at)); break; }
                case (byte)'R': { var args = AsArgs(Pop(stack), at); var callee = Pop(stack); stack.Add(Call(callee, args, at)); break; }
                case 0x81: { var args = AsArgs(Pop(stack), at); var cls = Pop(stack); stack.Add(Call(cls, args, at)); break; } // NEWOBJ
                case (byte)'b': Pop(stack); break;                                 // BUILD: attribute state (e.g. _metadata) is not needed
                case (byte)'Q': stack.Add(persistentLoad(Pop(stack))); break;      // BINPERSID
                case (byte)'P': stack.Add(persistentLoad(ReadLine())); break;      // PERSID
                case (byte)'s': { var v = Pop(stack); var k = Pop(stack); AsDict(stack[^1], at).Add(new(k, v)); break; }
                case (byte)'u': { var items = PopMark(stack, marks); var d = AsDict(stack[^1], at); for (int i = 0; i + 1 < items.Length; i += 2) d.Add(new(items[i], items[i + 1])); break; }
                case (byte)'a': { var v = Pop(stack); AsList(stack[^1], at).Add(v); break; }
                case (byte)'e': { var items = PopMark(stack, marks); AsList(stack[^1], at).AddRange(items); break; }
                default: return Fail<object?>(at, $"unsupported pickle opcode 0x{op:x2}");
            }
        }
    }

    private object Resolve(string module, string name, long at)
    {
        var global = new PickleGlobal(module, name);
        if (!allowedGlobals.Contains(global.FullName))
            throw new UnsafePickleException($"{source}: refuses to load the global '{global.FullName}' (pickle offset {at}). " +
                "Only tensors, storages and plain containers are accepted, because anything else would run code. " +
                "If this file is trusted, re-save it as a plain state_dict or as .safetensors.");
        return global;
    }

    private object? Call(object? callee, object?[] args, long at) =>
        callee is PickleGlobal g ? construct(g, args) : Fail<object?>(at, "call of something that is not an allowed global");

    private object? Memo(long key, long at) => _memo.TryGetValue(key, out var v) ? v : Fail<object?>(at, $"memo key {key} was never stored");

    private static object? Pop(List<object?> stack)
    {
        var v = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    private static object?[] PopMark(List<object?> stack, Stack<int> marks)
    {
        int start = marks.Pop();
        var items = stack.GetRange(start, stack.Count - start).ToArray();
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    private static PickleDict ToDict(object?[] items)
    {
        var d = new PickleDict();
        for (int i = 0; i + 1 < items.Length; i += 2) d.Add(new(items[i], items[i + 1]));
        return d;
    }

    private object?[] AsArgs(object? o, long at) => o as object?[] ?? Fail<object?[]>(at, "call arguments are not a tuple");
    private PickleDict AsDict(object? o, long at) => o as PickleDict ?? Fail<PickleDict>(at, "SETITEM(S) on something that is not a dict");
    private List<object?> AsList(object? o, long at) => o as List<object?> ?? Fail<List<object?>>(at, "APPEND(S) on something that is not a list");

    private object ReadLong(int length)
    {
        var bytes = _in.ReadBytes(length);
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private string ReadUtf8(long length) => Encoding.UTF8.GetString(_in.ReadBytes(checked((int)length)));

    private string ReadLine()
    {
        var sb = new StringBuilder();
        for (byte b; (b = _in.ReadByte()) != (byte)'\n';) sb.Append((char)b);
        return sb.ToString();
    }

    private object ParseIntLine(string line, long at) => line switch
    {
        "00" => false,
        "01" => true,
        _ => long.TryParse(line, out var v) ? v : Fail<object>(at, $"bad INT literal '{line}'"),
    };

    private T Fail<T>(long at, string what) => throw new InvalidDataException($"{source}: malformed pickle at offset {at}: {what}");
}
