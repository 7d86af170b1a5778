namespace CertMgr.Web.ConsoleUi;

/// <summary>The model of <c>_Placeholder</c>: a screen that is planned but not built yet.</summary>
/// <param name="Icon">The screen's navigation icon (bootstrap-icons name without <c>bi-</c>).</param>
/// <param name="Summary">What the screen will do, from the guide.</param>
/// <param name="GuideSection">The section of the product guide that specifies it, e.g. "4.2.2".</param>
public sealed record ScreenPlaceholder(string Icon, string Summary, string GuideSection);
