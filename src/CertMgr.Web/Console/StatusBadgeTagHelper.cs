using Microsoft.AspNetCore.Razor.TagHelpers;

namespace CertMgr.Web.ConsoleUi;

/// <summary>
/// Renders <c>&lt;status-badge value="@StatusBadges.For(x)" /&gt;</c> as a coloured badge with its icon and text.
/// </summary>
[HtmlTargetElement("status-badge", TagStructure = TagStructure.WithoutEndTag)]
public sealed class StatusBadgeTagHelper : TagHelper
{
    public StatusBadge? Value { get; set; }

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Value is null)
        {
            output.SuppressOutput();
            return;
        }

        output.TagName = "span";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("class", Value.CssClass);
        if (Value.Title is { Length: > 0 } title)
        {
            output.Attributes.SetAttribute("title", title);
        }

        if (Value.Icon is { Length: > 0 } icon)
        {
            output.Content.AppendHtml("<i class=\"bi bi-");
            output.Content.Append(icon);
            output.Content.AppendHtml("\" aria-hidden=\"true\"></i> ");
        }

        output.Content.Append(Value.Text);
    }
}
