using CertMgr.Core.Common;

namespace CertMgr.Core.Inventory;

/// <summary>
/// Which definitions to clone (ids, or every definition with a tag) and the name rewrite, e.g. find <c>prod</c>,
/// replace with <c>test</c>; <see cref="AddTag"/> optionally tags the clones (e.g. <c>test</c>).
/// </summary>
public sealed record CloneRequest(IReadOnlyList<Guid>? Ids, string? Tag, string? Find, string? Replace, string? AddTag = null)
{
    public const int MaxItems = 500;
}

/// <summary>One clone to be: the source, the rewritten fields, and why it cannot be created (null when it can).</summary>
public sealed record ClonePlanItem(Guid SourceId, string SourceName, DefinitionFields Fields, string? Problem);

public sealed record ClonePlan(IReadOnlyList<ClonePlanItem> Items)
{
    public bool CanApply => Items.Count > 0 && Items.All(i => i.Problem is null);
}

/// <summary>
/// The name rewrite of a clone: a case-insensitive text replacement applied to the name, the common name, the SANs,
/// the target server and the server name for check.
/// </summary>
public sealed class CloneRule
{
    private CloneRule(string find, string replace)
    {
        Find = find;
        Replace = replace;
    }

    public string Find { get; }
    public string Replace { get; }

    public static Result<CloneRule> Create(string? find, string? replace)
    {
        if (string.IsNullOrEmpty(find))
        {
            return new Error("rewrite-invalid", "Give the text to find in the names (e.g. 'prod') and what to replace it with (e.g. 'test').");
        }

        if (find.Length > 255 || replace?.Length > 255)
        {
            return new Error("rewrite-invalid", "The find and replace texts are limited to 255 characters.");
        }

        return new CloneRule(find, replace ?? "");
    }

    public string Apply(string value) => value.Replace(Find, Replace, StringComparison.OrdinalIgnoreCase);

    private string? ApplyOrNull(string? value) => value is null ? null : Apply(value);

    /// <summary>The fields with the rule applied to every name; the copy is tagged with <paramref name="addTag"/> when given.</summary>
    public DefinitionFields Rewrite(DefinitionFields fields, string? addTag)
    {
        ArgumentNullException.ThrowIfNull(fields);
        fields.Name = ApplyOrNull(fields.Name);
        fields.CommonName = ApplyOrNull(fields.CommonName);
        fields.SubjectAlternativeNames = [.. fields.SubjectAlternativeNames.Select(Apply)];
        fields.TargetServerName = ApplyOrNull(fields.TargetServerName);
        fields.ServerNameForCheck = ApplyOrNull(fields.ServerNameForCheck);
        if (!string.IsNullOrWhiteSpace(addTag))
        {
            fields.Tags = [.. fields.Tags, addTag.Trim()];
        }

        return fields;
    }
}
