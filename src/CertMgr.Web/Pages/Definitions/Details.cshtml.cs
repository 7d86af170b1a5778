using CertMgr.Core.Inventory;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Definitions;

/// <summary>One definition: every field, its certificates and requests, its history; edit, duplicate, modes, delete.</summary>
[Authorize]
public sealed class DetailsModel(DefinitionService definitions, CertMgrDbContext db, TimeProvider time, IAuthorizationService authorization) : PageModel
{
    public CertificateDefinition Definition { get; private set; } = null!;

    public string? ProductName { get; private set; }

    public string? TrustedCaSetName { get; private set; }

    public IReadOnlyList<CertificateRow> Certificates { get; private set; } = [];

    public IReadOnlyList<RequestRow> Requests { get; private set; } = [];

    public IReadOnlyList<AuditEvent> History { get; private set; } = [];

    public IReadOnlyList<DeploymentRow> Deployments { get; private set; } = [];

    public IReadOnlyList<MonitorRow> MonitorResults { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public bool IsAdmin { get; private set; }

    public bool ConfirmDelete { get; private set; }

    public string? Flash { get; private set; }

    public string? Error { get; private set; }

    public sealed record CertificateRow(Guid Id, string Sha256, string? CommonName, DateTimeOffset NotBefore, DateTimeOffset NotAfter, CertificateSource Source, bool HasKey, bool IsCurrent);

    public sealed record DeploymentRow(Guid Id, string? TargetServerName, ServerSoftware ServerSoftware, DeploymentStatus Status, bool MonitoringDisabled, bool OfCurrent, DateTimeOffset UpdatedAt);

    public sealed record MonitorRow(Guid RunId, CheckStatus Status, string Endpoint, string? Reason, string? ServedSha1, DateTimeOffset CheckedAt, int DurationMs);

    public sealed record RequestRow(Guid Id, RequestKind Kind, RequestStatus Status, DateTimeOffset CreatedAt, string? OrderNumber);

    public async Task<IActionResult> OnGetAsync(Guid id, bool confirmDelete, CancellationToken ct)
    {
        ConfirmDelete = confirmDelete;
        Flash = TempData["Flash"] as string;
        Error = TempData["Error"] as string;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostDuplicateAsync(Guid id, CancellationToken ct)
    {
        var copy = await definitions.DuplicateAsync(id, Actor, ct);
        if (!copy.IsSuccess)
        {
            TempData["Error"] = copy.Error.Message;
            return Redirect($"~/definitions/{id}");
        }

        TempData["Flash"] = $"Duplicated as '{copy.Value.Name}'. Adjust the copy's names and target server.";
        return Redirect($"~/definitions/{copy.Value.Id}/edit");
    }

    public async Task<IActionResult> OnPostModeAsync(Guid id, OperationMode? operationMode, ExecutionMode? executionMode, CancellationToken ct)
    {
        var switched = await definitions.SwitchModeAsync(id, operationMode, executionMode, Actor, ct);
        if (switched.IsSuccess)
        {
            TempData["Flash"] = $"Now {DefinitionService.ModeText(switched.Value.OperationMode).ToLowerInvariant()}, {switched.Value.ExecutionMode.ToString().ToLowerInvariant()}.";
        }
        else
        {
            TempData["Error"] = switched.Error.Message;
        }

        return Redirect($"~/definitions/{id}");
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, CertMgrClaims.AdminPolicy)).Succeeded)
        {
            return Forbid();
        }

        var deleted = await definitions.DeleteAsync(id, Actor, ct);
        if (!deleted.IsSuccess)
        {
            TempData["Error"] = deleted.Error.Message;
            return Redirect($"~/definitions/{id}");
        }

        TempData["Flash"] = "The definition was deleted.";
        return Redirect("~/definitions");
    }

    private string Actor => User.Identity?.Name ?? "console";

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var definition = await definitions.GetAsync(id, ct);
        if (definition is null)
        {
            return false;
        }

        Definition = definition;
        Now = time.GetUtcNow();
        IsAdmin = (await authorization.AuthorizeAsync(User, CertMgrClaims.AdminPolicy)).Succeeded;
        ProductName = definition.ProductId is { } p
            ? await db.Products.Where(x => x.Id == p).Select(x => x.Provider + " " + x.Name).SingleOrDefaultAsync(ct)
            : null;
        TrustedCaSetName = definition.TrustedCaSetId is { } s
            ? await db.TrustedCaSets.Where(x => x.Id == s).Select(x => x.Name).SingleOrDefaultAsync(ct)
            : null;
        Certificates = await db.Certificates.AsNoTracking().Where(c => c.DefinitionId == id)
            .OrderByDescending(c => c.NotAfter)
            .Select(c => new CertificateRow(c.Id, c.Sha256, c.CommonName, c.NotBefore, c.NotAfter, c.Source, c.PrivateKeyId != null, c.Id == definition.CurrentCertificateId))
            .Take(50).ToListAsync(ct);
        Requests = await db.Requests.AsNoTracking().Where(r => r.DefinitionId == id)
            .OrderByDescending(r => r.CreatedAt)
            .Select(r => new RequestRow(r.Id, r.Kind, r.Status, r.CreatedAt, r.OrderNumber))
            .Take(50).ToListAsync(ct);
        Deployments = await db.Deployments.AsNoTracking().Where(x => x.Certificate.DefinitionId == id)
            .OrderByDescending(x => x.CreatedAt)
            .Select(x => new DeploymentRow(x.Id, x.TargetServerName, x.ServerSoftware, x.Status, x.MonitoringDisabled, x.CertificateId == definition.CurrentCertificateId, x.UpdatedAt))
            .Take(20).ToListAsync(ct);
        MonitorResults = await db.MonitorResults.AsNoTracking().Where(m => m.DefinitionId == id)
            .OrderByDescending(m => m.CheckedAt).ThenByDescending(m => m.Id)
            .Select(m => new MonitorRow(m.MonitorRunId, m.Status, m.Endpoint, m.Reason, m.ServedSha1, m.CheckedAt, m.DurationMs))
            .Take(10).ToListAsync(ct);
        var key = id.ToString();
        History = await db.AuditEvents.AsNoTracking()
            .Where(e => e.ObjectType == DefinitionHistory.ObjectType && e.ObjectId == key)
            .OrderByDescending(e => e.Id).Take(100).ToListAsync(ct);
        return true;
    }
}
