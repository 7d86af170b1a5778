using System.Security.Claims;
using System.Text;
using CertMgr.Core.Acquisition;
using CertMgr.Core.Catalog;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Api;

/// <summary>Acquisition processes over HTTP: <c>/api/v1/acquisitions</c>, one endpoint per step (guide 4.3.2).</summary>
public static class AcquisitionsApi
{
    /// <summary>Largest certificate upload accepted by the receive step.</summary>
    public const int MaxUploadBytes = 1024 * 1024;

    public sealed record StartBody(Guid? DefinitionId, string? Kind);

    public sealed record KeyBody(string? Choice, Guid? KeyId);

    public sealed record ProductBody(Guid? ProductId);

    public sealed record OrderBody(DateOnly? OrderDate, string? OrderNumber, Guid? ProviderAccountId, string? Notes);

    public sealed record ProductRef(Guid Id, string Provider, string Name, bool BuiltInCa);

    public sealed record OrderInfo(DateOnly? Date, string? Number, Guid? ProviderAccountId, string? Notes);

    public sealed record CertificateRef(Guid Id, string SerialNumber, string Sha256, string Subject, string Issuer, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

    public sealed record AcquisitionInfo(
        Guid Id, Guid DefinitionId, string DefinitionName, string Kind, string Status, string NextStep, string? InterruptReason,
        Guid? KeyId, string? KeySpec, string? KeyPublicSha256, bool HasCsr, ProductRef? Product, OrderInfo? Order, CertificateRef? Certificate,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt);

    public sealed record OngoingItem(Guid Id, Guid DefinitionId, string DefinitionName, string Kind, string Status, string? Product, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record DueItem(Guid DefinitionId, string Name, string CommonName, DateTimeOffset NotAfter, int RenewalLeadDays);

    public sealed record AcquisitionLists(int OngoingTotal, IReadOnlyList<OngoingItem> Ongoing, int DueTotal, IReadOnlyList<DueItem> DueForRenewal);

    public static void MapAcquisitionsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/acquisitions").WithTags("Acquisitions");
        g.MapGet("/", ListAsync);
        g.MapPost("/", StartAsync);
        g.MapGet("/{id:guid}", GetAsync);
        g.MapPost("/{id:guid}/key", KeyAsync);
        g.MapGet("/{id:guid}/csr", CsrAsync);
        g.MapPost("/{id:guid}/product", ProductAsync);
        g.MapPost("/{id:guid}/order", OrderAsync);
        g.MapPost("/{id:guid}/receive", ReceiveAsync);
        g.MapPost("/{id:guid}/poll", PollAsync);
        g.MapPost("/{id:guid}/complete", CompleteAsync);
        g.MapPost("/{id:guid}/cancel", CancelAsync);
    }

    internal static async Task<IResult> ListAsync(CertMgrDbContext db, TimeProvider time, int? skip, int? take, CancellationToken ct)
    {
        var from = Math.Max(skip ?? 0, 0);
        var count = Math.Clamp(take ?? 50, 1, 500);
        var ongoing = AcquisitionQueries.Ongoing(db).AsNoTracking();
        var due = (await AcquisitionQueries.RenewalDueAsync(db, time.GetUtcNow(), ct)).AsNoTracking();
        var ongoingRows = await ongoing.OrderByDescending(r => r.UpdatedAt).ThenBy(r => r.Id).Skip(from).Take(count).ToListAsync(ct);
        var dueRows = await due.OrderBy(r => r.NotAfter).ThenBy(r => r.DefinitionId).Skip(from).Take(count).ToListAsync(ct);
        return TypedResults.Ok(new AcquisitionLists(
            await ongoing.CountAsync(ct),
            [.. ongoingRows.Select(r => new OngoingItem(r.Id, r.DefinitionId, r.DefinitionName, r.Kind.ToString(), r.Status.ToString(), r.Product, r.CreatedAt, r.UpdatedAt))],
            await due.CountAsync(ct),
            [.. dueRows.Select(r => new DueItem(r.DefinitionId, r.Name, r.CommonName, r.NotAfter, r.RenewalLeadDays))]));
    }

    internal static async Task<IResult> StartAsync(StartBody? body, AcquisitionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body?.DefinitionId is not { } definitionId)
        {
            return ApiRoutes.Problem(new Error("definition-missing", "Send {\"definitionId\": \"...\", \"kind\": \"New\"|\"Renewal\"}."));
        }

        if (!Enum.TryParse<RequestKind>(body.Kind ?? nameof(RequestKind.New), ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
        {
            return ApiRoutes.Problem(new Error("kind-invalid", "kind must be New or Renewal."));
        }

        var started = await service.StartAsync(definitionId, kind, Actor(user), ct);
        return started.IsSuccess
            ? TypedResults.Created($"{ApiRoutes.Prefix}/acquisitions/{started.Value.Id}", await InfoAsync(service, started.Value.Id, ct))
            : ApiRoutes.Problem(started.Error);
    }

    internal static async Task<IResult> GetAsync(Guid id, AcquisitionService service, CancellationToken ct)
    {
        var info = await InfoAsync(service, id, ct);
        return info is null ? ApiRoutes.Problem(Error.NotFound("request-not-found", "No acquisition process has that id.")) : TypedResults.Ok(info);
    }

    internal static async Task<IResult> KeyAsync(Guid id, KeyBody? body, AcquisitionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        KeyChoice? choice = (body?.Choice ?? "new").Trim().ToUpperInvariant() switch
        {
            "NEW" => KeyChoice.New,
            "REUSE-CURRENT" or "REUSECURRENT" => KeyChoice.ReuseCurrent,
            "REUSE" => KeyChoice.Reuse,
            _ => null,
        };
        if (choice is null)
        {
            return ApiRoutes.Problem(new Error("key-choice-invalid", "choice must be new, reuse-current or reuse (with keyId)."));
        }

        return await StepAsync(service, id, await service.SetKeyAsync(id, choice.Value, body?.KeyId, Actor(user), ct), ct);
    }

    internal static async Task<IResult> CsrAsync(Guid id, AcquisitionService service, CancellationToken ct)
    {
        var pem = await service.CsrPemAsync(id, ct);
        return pem.IsSuccess
            ? TypedResults.Text(pem.Value, "application/pkcs10", Encoding.ASCII)
            : ApiRoutes.Problem(pem.Error);
    }

    internal static async Task<IResult> ProductAsync(Guid id, ProductBody? body, AcquisitionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body?.ProductId is not { } productId)
        {
            return ApiRoutes.Problem(new Error("product-missing", "Send {\"productId\": \"...\"}; GET /api/v1/products?definition={id} lists the products that fit."));
        }

        return await StepAsync(service, id, await service.ChooseProductAsync(id, productId, Actor(user), ct), ct);
    }

    internal static async Task<IResult> OrderAsync(Guid id, OrderBody? body, AcquisitionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("order-missing", "Send {\"orderDate\": \"2026-11-30\", \"orderNumber\": \"...\", \"providerAccountId\": null, \"notes\": null}."));
        }

        var order = new OrderDetails(body.OrderDate, body.OrderNumber, body.ProviderAccountId, body.Notes);
        return await StepAsync(service, id, await service.RecordOrderAsync(id, order, Actor(user), ct), ct);
    }

    /// <summary>
    /// The certificate as the request body (PEM or DER), or as multipart form data: <c>file</c> (any format),
    /// optional <c>chain</c> file and <c>password</c>, or a <c>pem</c> text field.
    /// </summary>
    internal static async Task<IResult> ReceiveAsync(Guid id, HttpRequest request, AcquisitionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        byte[] data;
        byte[]? chain = null;
        string? password = null;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file");
            if (file is { Length: > MaxUploadBytes } || form.Files.GetFile("chain") is { Length: > MaxUploadBytes })
            {
                return TooLarge();
            }

            password = form["password"].FirstOrDefault();
            if (file is not null)
            {
                data = await ReadAllAsync(file);
            }
            else if (form["pem"].FirstOrDefault() is { Length: > 0 } pem)
            {
                data = Encoding.UTF8.GetBytes(pem);
            }
            else
            {
                return ApiRoutes.Problem(new Error("certificate-missing", "Send the certificate as the form field 'file' or 'pem'."));
            }

            if (form.Files.GetFile("chain") is { Length: > 0 } chainFile)
            {
                chain = await ReadAllAsync(chainFile);
            }
        }
        else
        {
            var body = await ReadBodyAsync(request, ct);
            if (body is null)
            {
                return TooLarge();
            }

            data = body;
        }

        if (data.Length == 0)
        {
            return ApiRoutes.Problem(new Error("certificate-missing", "The request has no certificate."));
        }

        var received = await service.ReceiveAsync(id, data, password, chain, Actor(user), ct);
        return received.IsSuccess
            ? TypedResults.Ok(await InfoAsync(service, id, ct))
            : ApiRoutes.Problem(received.Error);
    }

    internal static async Task<IResult> CompleteAsync(Guid id, AcquisitionService service, ClaimsPrincipal user, CancellationToken ct) =>
        await StepAsync(service, id, await service.CompleteAsync(id, Actor(user), ct), ct);

    /// <summary>Asks the CA that holds the order (an automatable CA answered "pending") for the certificate.</summary>
    internal static async Task<IResult> PollAsync(Guid id, AcquisitionService service, ClaimsPrincipal user, CancellationToken ct) =>
        await StepAsync(service, id, await service.PollAsync(id, Actor(user), ct), ct);

    internal static async Task<IResult> CancelAsync(Guid id, AcquisitionService service, ClaimsPrincipal user, CancellationToken ct) =>
        await StepAsync(service, id, await service.CancelAsync(id, Actor(user), ct), ct);

    /// <summary>The API view of a request, or null when there is none with that id.</summary>
    internal static async Task<AcquisitionInfo?> InfoAsync(AcquisitionService service, Guid id, CancellationToken ct)
    {
        var r = await service.FindAsync(id, ct);
        if (r is null)
        {
            return null;
        }

        return new AcquisitionInfo(
            r.Id, r.DefinitionId, r.Definition.Name, r.Kind.ToString(), r.Status.ToString(), NextStep(r), r.InterruptReason,
            r.PrivateKeyId, r.PrivateKey is { } k ? new Core.Pki.KeySpec(k.Algorithm, k.KeySize).Name : null, r.PrivateKey?.PublicKeySha256,
            r.CsrDer is not null,
            r.Product is { } p ? new ProductRef(p.Id, p.Provider, p.Name, ProductCatalog.IsBuiltIn(p)) : null,
            r.OrderDate is null && r.OrderNumber is null ? null : new OrderInfo(r.OrderDate, r.OrderNumber, r.ProviderAccountId, r.OrderNotes),
            r.Certificate is { } c ? new CertificateRef(c.Id, c.SerialNumber, c.Sha256, c.Subject, c.Issuer, c.NotBefore, c.NotAfter) : null,
            r.CreatedAt, r.UpdatedAt, r.CompletedAt);
    }

    /// <summary>What the process waits for, in the words of the API's step endpoints.</summary>
    public static string NextStep(CertificateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Status switch
        {
            RequestStatus.Draft => "key",
            RequestStatus.KeyAndCsrReady => "product",
            RequestStatus.ProductChosen => "order",
            // An order an automatable CA holds is followed up by polling; one placed by a person ends with an upload.
            RequestStatus.Ordered => request.Product?.CaConnectionId is null ? "receive" : "poll",
            RequestStatus.Received => "complete",
            RequestStatus.Interrupted => "resolve",
            _ => "none",
        };
    }

    internal static string Actor(ClaimsPrincipal user) => user?.Identity?.Name ?? "api";

    private static async Task<IResult> StepAsync(AcquisitionService service, Guid id, Result<CertificateRequest> step, CancellationToken ct) =>
        step.IsSuccess ? TypedResults.Ok(await InfoAsync(service, id, ct)) : ApiRoutes.Problem(step.Error);

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TooLarge() =>
        ApiRoutes.Problem(Error.TooLarge("certificate-too-large", $"The upload is larger than {MaxUploadBytes} bytes."));

    private static async Task<byte[]> ReadAllAsync(IFormFile file)
    {
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>The body, or null when it exceeds <see cref="MaxUploadBytes"/>.</summary>
    internal static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var read = new byte[8192];
        int n;
        while ((n = await request.Body.ReadAsync(read, ct)) > 0)
        {
            buffer.Write(read, 0, n);
            if (buffer.Length > MaxUploadBytes)
            {
                return null;
            }
        }

        return buffer.ToArray();
    }
}
