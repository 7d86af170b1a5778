using System.Text;
using System.Text.RegularExpressions;

namespace CertMgr.Core.Notifications;

/// <summary>
/// The <c>{{placeholder}}</c> language of email templates, as pure functions: a placeholder is <c>{{name}}</c> (letters,
/// digits, underscore; spaces inside the braces allowed); a single brace is plain text. Rendering is one pass, so a
/// value that itself contains <c>{{...}}</c> is inserted as it is, never expanded; values are plain text.
/// </summary>
public static partial class TemplateText
{
    /// <summary>What is wrong with <paramref name="template"/> (unbalanced braces, unknown placeholders), or null when it is fine.</summary>
    public static string? Problem(string template, IReadOnlyCollection<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(allowed);
        var unknown = new List<string>();
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf("{{", i, StringComparison.Ordinal);
            var close = template.IndexOf("}}", i, StringComparison.Ordinal);
            if (open < 0 && close < 0)
            {
                break;
            }

            if (open < 0 || (close >= 0 && close < open))
            {
                return $"Unbalanced braces: \"}}}}\" at position {close + 1} has no \"{{{{\" before it.";
            }

            var end = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            var nextOpen = template.IndexOf("{{", open + 2, StringComparison.Ordinal);
            if (end < 0 || (nextOpen >= 0 && nextOpen < end))
            {
                return $"Unbalanced braces: \"{{{{\" at position {open + 1} is not closed with \"}}}}\".";
            }

            var name = template[(open + 2)..end].Trim();
            if (!NamePattern().IsMatch(name))
            {
                return $"\"{{{{{template[(open + 2)..end]}}}}}\" is not a placeholder: write {{{{name}}}} with letters, digits and underscores.";
            }

            if (!allowed.Contains(name) && !unknown.Contains(name))
            {
                unknown.Add(name);
            }

            i = end + 2;
        }

        return unknown.Count == 0
            ? null
            : $"Unknown placeholder{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown.Select(u => "{{" + u + "}}"))}; this email knows {string.Join(", ", allowed.Select(a => "{{" + a + "}}"))}.";
    }

    /// <summary>The template with every placeholder replaced by its value (empty when the value is missing).</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(values);
        var b = new StringBuilder(template.Length + 256);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf("{{", i, StringComparison.Ordinal);
            var end = open < 0 ? -1 : template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (open < 0 || end < 0)
            {
                b.Append(template, i, template.Length - i);
                break;
            }

            b.Append(template, i, open - i);
            var name = template[(open + 2)..end].Trim();
            if (NamePattern().IsMatch(name))
            {
                b.Append(values.TryGetValue(name, out var v) ? v : "");
            }
            else
            {
                b.Append(template, open, end + 2 - open);
            }

            i = end + 2;
        }

        return b.ToString();
    }

    /// <summary>A subject line: one line (line breaks in values become spaces, so no header can be injected), trimmed, at most 400 characters.</summary>
    public static string Subject(string rendered)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        var line = LineBreaks().Replace(rendered, " ").Trim();
        return line.Length <= 400 ? line : line[..400];
    }

    [GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"[\r\n\u0085\u2028\u2029]+")]
    private static partial Regex LineBreaks();
}
