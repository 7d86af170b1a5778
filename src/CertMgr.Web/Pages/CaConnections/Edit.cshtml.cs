using CertMgr.Core.Catalog;
using CertMgr.Web.Api;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.CaConnections;

/// <summary>Admins add, edit or delete a CA connection; each wrong field gets its own message. Secrets are write-only.</summary>
[Authorize(Policy = CertMgrClaims.AdminPolicy)]
public sealed class EditModel(CaConnectionService connections) : PageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Kind { get; set; } = "acme";
    [BindProperty] public string? DirectoryUrl { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public bool TermsOfServiceAgreed { get; set; }
    [BindProperty] public string? EabKeyId { get; set; }
    [BindProperty] public string? EabHmacKey { get; set; }
    [BindProperty] public bool ClearEab { get; set; }
    [BindProperty] public string? CaBundlePem { get; set; }
    [BindProperty] public string? ChallengeType { get; set; } = "http-01";
    [BindProperty] public string? Http01Address { get; set; } = "0.0.0.0:80";
    [BindProperty] public string? DnsServer { get; set; }
    [BindProperty] public string? DnsZone { get; set; }
    [BindProperty] public string? TsigKeyName { get; set; }
    [BindProperty] public string? TsigAlgorithm { get; set; } = "hmac-sha256";
    [BindProperty] public string? TsigSecret { get; set; }

    public Guid? Id { get; private set; }
    public bool EabHmacKeySet { get; private set; }
    public bool TsigSecretSet { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken ct)
    {
        Id = id;
        if (id is null)
        {
            return Page();
        }

        var c = await connections.FindAsync(id.Value, ct);
        if (c is null)
        {
            return NotFound();
        }

        Fill(c);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, CancellationToken ct)
    {
        Id = id;
        var body = new CaConnectionsApi.ConnectionBody(Name, Kind, DirectoryUrl, Email, TermsOfServiceAgreed, EabKeyId, EabHmacKey, ClearEab, CaBundlePem, ChallengeType,
            Http01Address, DnsServer, DnsZone, TsigKeyName, TsigAlgorithm, TsigSecret);
        var input = CaConnectionsApi.ToInput(body);
        var actor = User.Identity?.Name ?? "console";
        var saved = !input.IsSuccess ? input.Error
            : id is null ? await connections.CreateAsync(input.Value, actor, ct) : await connections.UpdateAsync(id.Value, input.Value, actor, ct);
        if (saved.IsSuccess)
        {
            return Redirect(Url.Content($"~/ca-contracts/{saved.Value.Id}?done={Uri.EscapeDataString($"Saved {saved.Value.Name}.")}"));
        }

        if (saved.Error.Code == "ca-connection-not-found")
        {
            return NotFound();
        }

        Error = saved.Error.Message;
        foreach (var (field, messages) in saved.Error.Fields ?? new Dictionary<string, string[]>())
        {
            foreach (var message in messages)
            {
                ModelState.AddModelError(field == "Challenge" ? nameof(ChallengeType) : field, message);
            }
        }

        // Secrets are never echoed back into the form.
        EabHmacKey = null;
        TsigSecret = null;
        if (id is not null && await connections.FindAsync(id.Value, ct) is { } existing)
        {
            (EabHmacKeySet, TsigSecretSet) = (existing.HasEabHmacKey, existing.HasTsigSecret);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        var deleted = await connections.DeleteAsync(id, User.Identity?.Name ?? "console", ct);
        if (deleted.IsSuccess)
        {
            return Redirect(Url.Content($"~/ca-contracts?done={Uri.EscapeDataString($"Deleted {deleted.Value.Name}.")}"));
        }

        if (deleted.Error.Code == "ca-connection-not-found")
        {
            return NotFound();
        }

        Id = id;
        Error = deleted.Error.Message;
        if (await connections.FindAsync(id, ct) is { } c)
        {
            Fill(c);
        }

        return Page();
    }

    private void Fill(CaConnectionView c)
    {
        Name = c.Name;
        Kind = CaConnectionsApi.KindName(c.Kind);
        DirectoryUrl = c.DirectoryUrl;
        Email = c.Email;
        TermsOfServiceAgreed = c.Acme.TermsOfServiceAgreed;
        EabKeyId = c.Acme.EabKeyId;
        CaBundlePem = c.Acme.CaBundlePem;
        ChallengeType = CaConnectionsApi.ChallengeName(c.Acme.Challenge);
        Http01Address = c.Acme.Http01Address;
        DnsServer = c.Acme.DnsServer;
        DnsZone = c.Acme.DnsZone;
        TsigKeyName = c.Acme.TsigKeyName;
        TsigAlgorithm = c.Acme.TsigAlgorithm ?? "hmac-sha256";
        EabHmacKeySet = c.HasEabHmacKey;
        TsigSecretSet = c.HasTsigSecret;
    }
}
