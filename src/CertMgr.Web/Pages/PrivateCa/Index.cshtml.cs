using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.PrivateCa;

/// <summary>The Private CA screen (guide 4.7): the CA, its files, and its ledger with revocation.</summary>
[Authorize]
public sealed class IndexModel(CertMgrDbContext db, PrivateCaService service, CaRevocation revocation, TimeProvider time) : PageModel
{
    public const int PageSize = 50;

    public Data.Model.PrivateCa? Ca { get; private set; }
    public X509Certificate2? CaCertificate { get; private set; }
    public Data.Model.PrivateCa? Awaiting { get; private set; }
    public IReadOnlyList<IssuedCertificate> Issued { get; private set; } = [];
    public int Total { get; private set; }
    public int PageNumber { get; private set; } = 1;
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
    public DateTimeOffset Now { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    /// <summary>The serial whose revocation waits for confirmation, if any.</summary>
    [BindProperty(SupportsGet = true, Name = "confirm")]
    public string? ConfirmSerial { get; set; }

    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));

    public async Task OnGetAsync(int? p, string? done, CancellationToken ct)
    {
        Message = done;
        await LoadAsync(p ?? 1, ct);
    }

    public async Task<IActionResult> OnGetCertificateAsync(string? format, CancellationToken ct) =>
        new HttpResultAdapter(await CaApi.CertificateAsync(service, format, ct));

    public async Task<IActionResult> OnGetCrlAsync(CancellationToken ct) =>
        new HttpResultAdapter(await CaApi.CrlAsync(revocation, "der", ct));

    public async Task<IActionResult> OnPostRevokeAsync(string serial, string? reason, CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid();
        }

        if (!CaRevocation.TryParseReason(reason, out var parsed))
        {
            Error = "Unknown revocation reason.";
        }
        else
        {
            var revoked = await revocation.RevokeAsync(serial, parsed, User.Identity?.Name ?? "console", ct);
            if (revoked.IsSuccess)
            {
                return RedirectToPage(new { done = $"Revoked serial {revoked.Value.SerialNumber}; a new CRL is published." });
            }

            Error = revoked.Error.Message;
        }

        ConfirmSerial = null;
        await LoadAsync(1, ct);
        return Page();
    }

    private async Task LoadAsync(int page, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        Ca = await db.PrivateCas.AsNoTracking().Include(c => c.PrivateKey).SingleOrDefaultAsync(c => c.IsCurrent, ct);
        Awaiting = await service.FindAwaitingAsync(ct);
        if (Ca?.CertificateDer is { } der)
        {
            CaCertificate = X509CertificateLoader.LoadCertificate(der);
            HttpContext.Response.RegisterForDispose(CaCertificate);
        }

        if (Ca is null)
        {
            return;
        }

        var query = db.IssuedCertificates.AsNoTracking().Where(i => i.PrivateCaId == Ca.Id);
        Total = await query.CountAsync(ct);
        PageNumber = Math.Clamp(page, 1, PageCount);
        Issued = await query.OrderByDescending(i => i.IssuedAt).ThenBy(i => i.SerialNumber)
            .Skip((PageNumber - 1) * PageSize).Take(PageSize).ToListAsync(ct);
    }

    public static string KeyName(Data.Model.PrivateCa ca) => new Core.Pki.KeySpec(ca.PrivateKey.Algorithm, ca.PrivateKey.KeySize).Name;

    public static string Sha1(X509Certificate2 cert) => Convert.ToHexString(cert.GetCertHash(HashAlgorithmName.SHA1));

    /// <summary>Runs a minimal-API result (the same files the API serves) from a page handler.</summary>
    private sealed class HttpResultAdapter(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }
}
