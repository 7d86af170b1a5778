using System.Text;
using CertMgr.Core.Acquisition;
using CertMgr.Core.Catalog;
using CertMgr.Core.Common;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Acquisitions;

/// <summary>One acquisition, step by step (guide 4.3.2): key and CSR, product, order, receive, switch to current.</summary>
[Authorize]
public sealed class ProcessModel(AcquisitionService service, ProductCatalog catalog, ProviderAccountService accounts, TimeProvider time) : PageModel
{
    public const int MaxUploadBytes = 1024 * 1024;

    public CertificateRequest Acquisition { get; private set; } = null!;
    public IReadOnlyList<ProductFit> Products { get; private set; } = [];
    public IReadOnlyList<PrivateKey> ReusableKeys { get; private set; } = [];
    public IReadOnlyList<ProviderAccount> Accounts { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    /// <summary>The step whose form failed, to show the error beside it.</summary>
    public string? ErrorStep { get; private set; }

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public bool IsOpen => AcquisitionService.OpenStatuses.Contains(Acquisition.Status);
    public bool BuiltIn => Acquisition.Product is { } p && ProductCatalog.IsBuiltIn(p);

    public async Task<IActionResult> OnGetAsync(Guid id, string? done, CancellationToken ct)
    {
        Message = done;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnGetCsrAsync(Guid id, CancellationToken ct)
    {
        var pem = await service.CsrPemAsync(id, ct);
        if (!pem.IsSuccess)
        {
            return NotFound();
        }

        var request = await service.FindAsync(id, ct);
        var name = string.Concat((request?.Definition.CommonName ?? "request").Replace("*", "wildcard", StringComparison.Ordinal)
            .Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
        return File(Encoding.ASCII.GetBytes(pem.Value), "application/pkcs10", $"{name}.csr");
    }

    public async Task<IActionResult> OnPostKeyAsync(Guid id, string? choice, Guid? keyId, CancellationToken ct)
    {
        var keyChoice = choice switch
        {
            "reuse-current" => KeyChoice.ReuseCurrent,
            "reuse" => KeyChoice.Reuse,
            _ => KeyChoice.New,
        };
        var result = await service.SetKeyAsync(id, keyChoice, keyId, Actor, ct);
        return await AfterAsync(id, "key", result.Error, "Key chosen and CSR created.", ct);
    }

    public async Task<IActionResult> OnPostProductAsync(Guid id, Guid? productId, CancellationToken ct)
    {
        if (productId is null)
        {
            return await AfterAsync(id, "product", new Error("product-missing", "Choose a product."), null, ct);
        }

        var result = await service.ChooseProductAsync(id, productId.Value, Actor, ct);
        var issued = result.IsSuccess && result.Value.Status == RequestStatus.Received;
        return await AfterAsync(id, "product", result.Error, issued ? "The built-in CA issued the certificate." : "Product chosen.", ct);
    }

    public async Task<IActionResult> OnPostOrderAsync(Guid id, DateOnly? orderDate, string? orderNumber, Guid? providerAccountId, string? notes, CancellationToken ct)
    {
        var result = await service.RecordOrderAsync(id, new OrderDetails(orderDate, orderNumber, providerAccountId, notes), Actor, ct);
        return await AfterAsync(id, "order", result.Error, "Order recorded.", ct);
    }

    public async Task<IActionResult> OnPostReceiveAsync(Guid id, IFormFile? file, IFormFile? chain, string? pem, string? password, CancellationToken ct)
    {
        if (file is { Length: > MaxUploadBytes } || chain is { Length: > MaxUploadBytes })
        {
            return await AfterAsync(id, "receive", new Error("certificate-too-large", "The file is larger than 1 MB; that is not a certificate."), null, ct);
        }

        byte[] data;
        if (file is { Length: > 0 })
        {
            data = await ReadAsync(file, ct);
        }
        else if (!string.IsNullOrWhiteSpace(pem))
        {
            data = Encoding.UTF8.GetBytes(pem);
        }
        else
        {
            return await AfterAsync(id, "receive", new Error("certificate-missing", "Paste the certificate or choose its file."), null, ct);
        }

        var chainData = chain is { Length: > 0 } ? await ReadAsync(chain, ct) : null;
        var result = await service.ReceiveAsync(id, data, password, chainData, Actor, ct);
        return await AfterAsync(id, "receive", result.Error, "Certificate received and checked.", ct);
    }

    public async Task<IActionResult> OnPostCompleteAsync(Guid id, CancellationToken ct)
    {
        var result = await service.CompleteAsync(id, Actor, ct);
        return await AfterAsync(id, "complete", result.Error, "The new certificate is now current.", ct);
    }

    public async Task<IActionResult> OnPostCancelAsync(Guid id, CancellationToken ct)
    {
        var result = await service.CancelAsync(id, Actor, ct);
        return await AfterAsync(id, "cancel", result.Error, "Acquisition cancelled.", ct);
    }

    private string Actor => User.Identity?.Name ?? "console";

    private async Task<IActionResult> AfterAsync(Guid id, string step, Error? error, string? done, CancellationToken ct)
    {
        if (error is null)
        {
            return RedirectToPage(new { id, done });
        }

        Error = error.Message;
        ErrorStep = step;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var request = await service.FindAsync(id, ct);
        if (request is null)
        {
            return false;
        }

        Acquisition = request;
        if (request.Status is RequestStatus.KeyAndCsrReady or RequestStatus.ProductChosen)
        {
            var fits = await catalog.ForDefinitionAsync(request.DefinitionId, ct);
            Products = fits.IsSuccess ? fits.Value : [];
        }

        if (request.Status is RequestStatus.Draft or RequestStatus.KeyAndCsrReady)
        {
            ReusableKeys = await service.ReusableKeysAsync(request.Definition, ct);
        }

        if (request.Status is RequestStatus.ProductChosen or RequestStatus.Ordered)
        {
            Accounts = await accounts.ListAsync(ct);
        }

        return true;
    }

    private static async Task<byte[]> ReadAsync(IFormFile file, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }
}
