using CertMgr.Core.Inventory;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Definitions;

/// <summary>
/// The definition form (guide 2.3): <c>/definitions/new</c> creates, <c>/definitions/{id}/edit</c> edits. Every
/// problem is shown next to its field; nothing is stored until all fields are valid.
/// </summary>
[Authorize]
public sealed class EditModel(DefinitionService definitions, CertMgrDbContext db) : PageModel
{
    [BindProperty]
    public DefinitionFields Input { get; set; } = new();

    /// <summary>SANs, one a line (or comma-separated).</summary>
    [BindProperty]
    public string? SansText { get; set; }

    [BindProperty]
    public string? TagsText { get; set; }

    /// <summary>The key choice as one value, e.g. <c>ec-p256</c> or <c>rsa-3072</c>.</summary>
    [BindProperty]
    public string? KeyChoice { get; set; }

    public Guid? Id { get; private set; }

    public string? OriginalName { get; private set; }

    public IReadOnlyList<SelectListItem> Products { get; private set; } = [];

    public IReadOnlyList<SelectListItem> TrustedCaSets { get; private set; } = [];

    public static IReadOnlyList<SelectListItem> KeyChoices { get; } =
    [
        new("EC P-256 (recommended)", "ec-p256"),
        new("EC P-384", "ec-p384"),
        new("RSA 2048", "rsa-2048"),
        new("RSA 3072", "rsa-3072"),
        new("RSA 4096", "rsa-4096"),
    ];

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken ct)
    {
        if (id is { } existing)
        {
            var definition = await definitions.GetAsync(existing, ct);
            if (definition is null)
            {
                return NotFound();
            }

            Id = existing;
            OriginalName = definition.Name;
            Input = DefinitionFields.From(definition);
        }

        SansText = string.Join('\n', Input.SubjectAlternativeNames);
        TagsText = string.Join(", ", Input.Tags);
        KeyChoice = KeyName(Input.KeyAlgorithm, Input.KeySize);
        await LoadChoicesAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, CancellationToken ct)
    {
        Id = id;
        Input.SubjectAlternativeNames = [.. DefinitionValidation.SplitList([SansText])];
        Input.Tags = [.. DefinitionValidation.SplitList([TagsText])];
        (Input.KeyAlgorithm, Input.KeySize) = ParseKey(KeyChoice);
        var (_, errors) = DefinitionValidation.Check(Input);
        foreach (var (field, message) in errors)
        {
            ModelState.AddModelError(FormKey(field), message);
        }

        if (ModelState.IsValid)
        {
            var actor = User.Identity?.Name ?? "console";
            var saved = id is { } existing
                ? await definitions.UpdateAsync(existing, Input, actor, ct)
                : await definitions.CreateAsync(Input, actor, ct);
            if (saved.IsSuccess)
            {
                TempData["Flash"] = id is null ? $"Created definition '{saved.Value.Name}'." : $"Saved definition '{saved.Value.Name}'.";
                return Redirect($"~/definitions/{saved.Value.Id}");
            }

            if (saved.Error.Code == DefinitionService.NotFoundCode)
            {
                return NotFound();
            }

            ModelState.AddModelError(DefinitionService.FieldOf(saved.Error) is { } field ? FormKey(field) : "", saved.Error.Message);
        }

        if (id is { } current)
        {
            OriginalName = await db.Definitions.Where(d => d.Id == current).Select(d => d.Name).SingleOrDefaultAsync(ct);
        }

        await LoadChoicesAsync(ct);
        return Page();
    }

    public static string KeyName(KeyAlgorithm algorithm, int size) => algorithm == KeyAlgorithm.Ecdsa ? $"ec-p{size}" : $"rsa-{size}";

    private static (KeyAlgorithm, int) ParseKey(string? choice) => choice switch
    {
        "ec-p384" => (KeyAlgorithm.Ecdsa, 384),
        "rsa-2048" => (KeyAlgorithm.Rsa, 2048),
        "rsa-3072" => (KeyAlgorithm.Rsa, 3072),
        "rsa-4096" => (KeyAlgorithm.Rsa, 4096),
        _ => (KeyAlgorithm.Ecdsa, 256),
    };

    private static string FormKey(string field) => field switch
    {
        nameof(DefinitionFields.SubjectAlternativeNames) => nameof(SansText),
        nameof(DefinitionFields.Tags) => nameof(TagsText),
        nameof(DefinitionFields.KeySize) or nameof(DefinitionFields.KeyAlgorithm) => nameof(KeyChoice),
        _ => $"{nameof(Input)}.{field}",
    };

    private async Task LoadChoicesAsync(CancellationToken ct)
    {
        Products = [.. (await db.Products.AsNoTracking().OrderBy(p => p.Provider).ThenBy(p => p.Name)
                .Select(p => new { p.Id, p.Provider, p.Name }).ToListAsync(ct))
            .Select(p => new SelectListItem(Labels.Product(p.Provider, p.Name), p.Id.ToString()))];
        TrustedCaSets = [.. (await db.TrustedCaSets.AsNoTracking().OrderBy(s => s.Name).Select(s => new { s.Id, s.Name }).ToListAsync(ct))
            .Select(s => new SelectListItem(s.Name, s.Id.ToString()))];
    }
}
