using System.Text;

namespace PetSeg.IO;

/// <summary>
/// A <c>~/.netrc</c> as curl, git and pip read it: whitespace-separated tokens, <c>machine HOST</c> (or
/// <c>default</c>) followed by <c>login</c>, <c>password</c> and <c>account</c>; <c>macdef</c> bodies (up to a blank
/// line) and <c>#</c> comments are skipped; a token in double quotes may hold spaces and backslash escapes (curl 7.84+).
/// </summary>
public static class NetrcFile
{
    /// <summary>The netrc file curl and git read: <c>$NETRC</c>, else <c>~/.netrc</c>.</summary>
    public static string DefaultPath(Func<string, string?> environment) =>
        environment("NETRC") is { Length: > 0 } path ? path
        : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".netrc");

    /// <summary>One machine's entry (<paramref name="Machine"/> null for <c>default</c>).</summary>
    public sealed record Entry(string? Machine, string? Login, string? Password);

    /// <summary>
    /// The entry for <paramref name="host"/> (case-insensitive), else the <c>default</c> entry, else null; with
    /// <paramref name="login"/>, only entries for that login (or without one). A missing file is null.
    /// </summary>
    public static Entry? Find(string path, string host, string? login = null)
    {
        if (!File.Exists(path)) return null;
        var entries = Parse(File.ReadAllText(path));
        bool Fits(Entry e) => login is null || e.Login is null || e.Login == login;
        return entries.FirstOrDefault(e => e.Machine is not null && string.Equals(e.Machine, host, StringComparison.OrdinalIgnoreCase) && Fits(e))
               ?? entries.FirstOrDefault(e => e.Machine is null && Fits(e));
    }

    public static IReadOnlyList<Entry> Parse(string text)
    {
        var entries = new List<Entry>();
        string? machine = null, login = null, password = null;
        var inEntry = false;
        void Close()
        {
            if (inEntry) entries.Add(new Entry(machine, login, password));
            machine = login = password = null;
            inEntry = false;
        }
        var tokens = new Tokens(text);
        while (tokens.Next() is { } token)
        {
            switch (token)
            {
                case "machine": Close(); machine = tokens.Next(); inEntry = machine is not null; break;
                case "default": Close(); inEntry = true; break;
                case "login": login = tokens.Next(); break;
                case "password": password = tokens.Next(); break;
                case "account": tokens.Next(); break;
                case "macdef": Close(); tokens.Next(); tokens.SkipMacro(); break;
            }
        }
        Close();
        return entries;
    }

    private sealed class Tokens(string text)
    {
        private int _at;

        public string? Next()
        {
            while (true)
            {
                while (_at < text.Length && char.IsWhiteSpace(text[_at])) _at++;
                if (_at >= text.Length) return null;
                if (text[_at] != '#') break;
                while (_at < text.Length && text[_at] != '\n') _at++; // a comment, to the end of its line
            }
            var sb = new StringBuilder();
            if (text[_at] == '"')
            {
                for (_at++; _at < text.Length && text[_at] != '"'; _at++)
                    sb.Append(text[_at] == '\\' && _at + 1 < text.Length ? text[++_at] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', var c => c } : text[_at]);
                _at++;
                return sb.ToString();
            }
            while (_at < text.Length && !char.IsWhiteSpace(text[_at])) sb.Append(text[_at++]);
            return sb.ToString();
        }

        /// <summary>A macro's body runs to the first empty line.</summary>
        public void SkipMacro()
        {
            var end = text.IndexOf("\n\n", _at, StringComparison.Ordinal);
            _at = end < 0 ? text.Length : end + 2;
        }
    }
}
