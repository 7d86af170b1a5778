namespace CertMgr.Web.ConsoleUi;

/// <summary>The colour family of a status; always shown together with text, never alone.</summary>
public enum Tone
{
    Neutral,
    Info,
    Success,
    Warning,
    Danger,
    Primary,
}

/// <summary>A status as the console shows it: a word or two, a colour, an icon, and an optional tooltip.</summary>
/// <param name="Text">The visible text; it carries the meaning on its own.</param>
/// <param name="Tone">The colour.</param>
/// <param name="Icon">A bootstrap-icons name without the <c>bi-</c> prefix, or null.</param>
/// <param name="Title">More detail on hover, or null.</param>
public sealed record StatusBadge(string Text, Tone Tone, string? Icon = null, string? Title = null)
{
    /// <summary>The CSS classes of the badge.</summary>
    public string CssClass => "badge cm-badge cm-badge-" + Tone.ToString().ToLowerInvariant();
}
