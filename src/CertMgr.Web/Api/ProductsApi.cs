using System.Security.Claims;
using CertMgr.Core.Catalog;
using CertMgr.Core.Common;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>The product catalog over HTTP: <c>/api/v1/products</c> (read for users, create and edit for admins).</summary>
public static class ProductsApi
{
    public sealed record ProductBody(
        string? Provider, string? Name, string? ValidationLevel, bool? Wildcard, int? MaxSans, int? MaxValidityDays, string? ProductUrl, bool? Enabled);

    public sealed record ProductItem(
        Guid Id, string Provider, string Name, string ValidationLevel, bool Wildcard, int MaxSans, int MaxValidityDays, string? ProductUrl,
        bool Enabled, bool BuiltInCa, string? WhyNot);

    public static void MapProductsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/products").WithTags("Products");
        g.MapGet("/", ListAsync);
        g.MapGet("/{id:guid}", GetAsync);
        g.MapPost("/", CreateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPut("/{id:guid}", UpdateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
    }

    /// <summary>All products, or with <c>?definition={id}</c> only those that meet the definition's requirements.</summary>
    internal static async Task<IResult> ListAsync(ProductCatalog catalog, Guid? definition, CancellationToken ct)
    {
        if (definition is { } id)
        {
            var fits = await catalog.ForDefinitionAsync(id, ct);
            return fits.IsSuccess
                ? TypedResults.Ok(fits.Value.Where(f => f.Fits).Select(f => ToItem(f.Product)).ToList())
                : ApiRoutes.Problem(fits.Error);
        }

        return TypedResults.Ok((await catalog.ListAsync(ct)).Select(p => ToItem(p)).ToList());
    }

    internal static async Task<IResult> GetAsync(Guid id, ProductCatalog catalog, CancellationToken ct) =>
        await catalog.FindAsync(id, ct) is { } product
            ? TypedResults.Ok(ToItem(product))
            : ApiRoutes.Problem(Error.NotFound("product-not-found", "No product has that id."));

    internal static async Task<IResult> CreateAsync(ProductBody? body, ProductCatalog catalog, ClaimsPrincipal user, CancellationToken ct)
    {
        var input = ToInput(body, null);
        if (!input.IsSuccess)
        {
            return ApiRoutes.Problem(input.Error);
        }

        var created = await catalog.CreateAsync(input.Value, AcquisitionsApi.Actor(user), ct);
        return created.IsSuccess
            ? TypedResults.Created($"{ApiRoutes.Prefix}/products/{created.Value.Id}", ToItem(created.Value))
            : ApiRoutes.Problem(created.Error);
    }

    /// <summary>Replaces a product's fields; omitted fields keep their value.</summary>
    internal static async Task<IResult> UpdateAsync(Guid id, ProductBody? body, ProductCatalog catalog, ClaimsPrincipal user, CancellationToken ct)
    {
        var existing = await catalog.FindAsync(id, ct);
        if (existing is null)
        {
            return ApiRoutes.Problem(Error.NotFound("product-not-found", "No product has that id."));
        }

        var input = ToInput(body, existing);
        if (!input.IsSuccess)
        {
            return ApiRoutes.Problem(input.Error);
        }

        var updated = await catalog.UpdateAsync(id, input.Value, AcquisitionsApi.Actor(user), ct);
        return updated.IsSuccess ? TypedResults.Ok(ToItem(updated.Value)) : ApiRoutes.Problem(updated.Error);
    }

    internal static ProductItem ToItem(Product p, string? whyNot = null) => new(
        p.Id, p.Provider, p.Name, p.ValidationLevel.ToString(), p.Wildcard, p.MaxSans, p.MaxValidityDays, p.ProductUrl, p.Enabled,
        ProductCatalog.IsBuiltIn(p), whyNot);

    private static Result<ProductInput> ToInput(ProductBody? body, Product? existing)
    {
        if (body is null)
        {
            return new Error("product-missing", "Send the product as JSON: provider, name, validationLevel (DV|OV|EV), wildcard, maxSans, maxValidityDays, productUrl, enabled.");
        }

        var level = existing?.ValidationLevel ?? ValidationLevel.DV;
        if (body.ValidationLevel is { } text &&
            (!Enum.TryParse(text, ignoreCase: true, out level) || !Enum.IsDefined(level) || int.TryParse(text, out _)))
        {
            return new Error("validation-level-invalid", "validationLevel must be DV, OV or EV.");
        }

        return new ProductInput(
            body.Provider ?? existing?.Provider, body.Name ?? existing?.Name, level,
            body.Wildcard ?? existing?.Wildcard ?? false, body.MaxSans ?? existing?.MaxSans ?? 1,
            body.MaxValidityDays ?? existing?.MaxValidityDays ?? 0, body.ProductUrl ?? existing?.ProductUrl,
            body.Enabled ?? existing?.Enabled ?? true);
    }
}
