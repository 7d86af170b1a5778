using CertMgr.Core.Acquisition;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Catalog;

/// <summary>What an admin enters for a product.</summary>
public sealed record ProductInput(
    string? Provider, string? Name, ValidationLevel ValidationLevel, bool Wildcard, int MaxSans, int MaxValidityDays, string? ProductUrl, bool Enabled);

/// <summary>A product and whether it fits a definition (null reason when it does).</summary>
public sealed record ProductFit(Product Product, string? WhyNot)
{
    public bool Fits => WhyNot is null;
}

/// <summary>
/// The product catalog (guide 4.3.2): a seeded list of real current products of public CAs and resellers, plus the
/// built-in private CA's product; admins add, edit and disable products.
/// </summary>
public sealed class ProductCatalog(CertMgrDbContext db, TimeProvider time)
{
    public const string ObjectType = "Product";
    public const string BuiltInConnectionName = "CertMgr Built-in Private CA";
    public const string BuiltInProvider = "CertMgr";
    public const string BuiltInProductName = "Built-in Private CA";
    public const int MaxTextLength = 100;
    public const int MaxUrlLength = 500;

    // Since 15 March 2026 (CA/Browser Forum ballot SC-081) publicly trusted TLS certificates last at most 200 days.
    private const int PublicMaxDays = 200;

    /// <summary>The seed: real products as their providers sell them today.</summary>
    public static IReadOnlyList<ProductInput> Seed { get; } =
    [
        new("Let's Encrypt", "Let's Encrypt DV", ValidationLevel.DV, true, 100, 90, "https://letsencrypt.org/", true),
        new("ZeroSSL", "ZeroSSL DV", ValidationLevel.DV, true, 100, 90, "https://zerossl.com/", true),
        new("Sectigo", "PositiveSSL DV", ValidationLevel.DV, false, 2, PublicMaxDays, "https://www.sectigo.com/ssl-certificates-tls/positivessl", true),
        new("Sectigo", "PositiveSSL Wildcard", ValidationLevel.DV, true, 2, PublicMaxDays, "https://www.sectigo.com/ssl-certificates-tls/positivessl-wildcard", true),
        new("Sectigo", "PositiveSSL Multi-Domain", ValidationLevel.DV, false, 250, PublicMaxDays, "https://www.sectigo.com/ssl-certificates-tls/positivessl-multi-domain", true),
        new("DigiCert", "Secure Site OV", ValidationLevel.OV, true, 250, PublicMaxDays, "https://www.digicert.com/tls-ssl/secure-site-ssl-certificates", true),
        new("DigiCert", "Secure Site EV", ValidationLevel.EV, false, 250, PublicMaxDays, "https://www.digicert.com/tls-ssl/secure-site-ev-ssl-certificates", true),
        new("GlobalSign", "OrganizationSSL", ValidationLevel.OV, true, 100, PublicMaxDays, "https://www.globalsign.com/en/ssl/organization-ssl", true),
        new("GlobalSign", "ExtendedSSL", ValidationLevel.EV, false, 100, PublicMaxDays, "https://www.globalsign.com/en/ssl/extended-validation-ssl", true),
    ];

    /// <summary>Adds the built-in CA connection and every seed product that is missing; never changes existing rows.</summary>
    public async Task<int> EnsureSeededAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var connection = await db.CaConnections.FirstOrDefaultAsync(c => c.Kind == CaConnectionKind.BuiltInCa, ct);
        if (connection is null)
        {
            connection = new CaConnection { Name = BuiltInConnectionName, Kind = CaConnectionKind.BuiltInCa, CreatedAt = now };
            db.CaConnections.Add(connection);
        }

        var existing = await db.Products.Select(p => new { p.Provider, p.Name }).ToListAsync(ct);
        bool Exists(string provider, string name) => existing.Any(e => e.Provider == provider && e.Name == name);
        var added = 0;
        foreach (var seed in Seed.Where(s => !Exists(s.Provider!, s.Name!)))
        {
            db.Products.Add(ToProduct(seed, now));
            added++;
        }

        if (!Exists(BuiltInProvider, BuiltInProductName))
        {
            var builtIn = ToProduct(new ProductInput(BuiltInProvider, BuiltInProductName, ValidationLevel.DV, true, 100, 397, null, true), now);
            builtIn.CaConnection = connection;
            db.Products.Add(builtIn);
            added++;
        }

        if (added > 0 || db.Entry(connection).State == EntityState.Added)
        {
            await db.SaveChangesAsync(ct);
        }

        return added;
    }

    /// <summary>Whether the product is issued by the built-in private CA (no order step).</summary>
    public static bool IsBuiltIn(Product product) => product?.CaConnection?.Kind == CaConnectionKind.BuiltInCa;

    public Task<List<Product>> ListAsync(CancellationToken ct) =>
        db.Products.AsNoTracking().Include(p => p.CaConnection)
            .OrderBy(p => p.Provider).ThenBy(p => p.ValidationLevel).ThenBy(p => p.Name).ToListAsync(ct);

    public Task<Product?> FindAsync(Guid id, CancellationToken ct) =>
        db.Products.AsNoTracking().Include(p => p.CaConnection).SingleOrDefaultAsync(p => p.Id == id, ct);

    /// <summary>Every product with whether it fits the definition; fitting ones first.</summary>
    public async Task<Result<IReadOnlyList<ProductFit>>> ForDefinitionAsync(Guid definitionId, CancellationToken ct)
    {
        var definition = await db.Definitions.AsNoTracking().SingleOrDefaultAsync(d => d.Id == definitionId, ct);
        if (definition is null)
        {
            return Error.NotFound("definition-not-found", "No certificate definition has that id.");
        }

        var products = await ListAsync(ct);
        return products.Select(p => new ProductFit(p, ProductRequirements.WhyNot(definition, p)))
            .OrderBy(f => f.Fits ? 0 : 1).ToList();
    }

    public async Task<Result<Product>> CreateAsync(ProductInput input, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Validate(input) is { } invalid)
        {
            return invalid;
        }

        var provider = input.Provider!.Trim();
        var name = input.Name!.Trim();
        if (await db.Products.AnyAsync(p => p.Provider == provider && p.Name == name, ct))
        {
            return Error.Conflict("product-exists", $"{provider} already has a product named {name}.");
        }

        var now = time.GetUtcNow();
        var product = ToProduct(input, now);
        db.Products.Add(product);
        db.Record(now, actor, ObjectType, product.Id.ToString(), "create", detail: $"{product.Provider} {product.Name}");
        await db.SaveChangesAsync(ct);
        return product;
    }

    public async Task<Result<Product>> UpdateAsync(Guid id, ProductInput input, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var product = await db.Products.Include(p => p.CaConnection).SingleOrDefaultAsync(p => p.Id == id, ct);
        if (product is null)
        {
            return Error.NotFound("product-not-found", "No product has that id.");
        }

        if (Validate(input) is { } invalid)
        {
            return invalid;
        }

        var provider = input.Provider!.Trim();
        var name = input.Name!.Trim();
        if (await db.Products.AnyAsync(p => p.Id != id && p.Provider == provider && p.Name == name, ct))
        {
            return Error.Conflict("product-exists", $"{provider} already has a product named {name}.");
        }

        product.Provider = provider;
        product.Name = name;
        product.ValidationLevel = input.ValidationLevel;
        product.Wildcard = input.Wildcard;
        product.MaxSans = input.MaxSans;
        product.MaxValidityDays = input.MaxValidityDays;
        product.ProductUrl = string.IsNullOrWhiteSpace(input.ProductUrl) ? null : input.ProductUrl.Trim();
        product.Enabled = input.Enabled;
        db.Record(time.GetUtcNow(), actor, ObjectType, product.Id.ToString(), "update",
            detail: $"{product.Provider} {product.Name}{(product.Enabled ? "" : " (disabled)")}");
        await db.SaveChangesAsync(ct);
        return product;
    }

    /// <summary>Why the input is not a valid product, or null.</summary>
    public static Error? Validate(ProductInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsText(input.Provider))
        {
            return new Error("provider-invalid", $"The provider is required: 1 to {MaxTextLength} printable characters.");
        }

        if (!IsText(input.Name))
        {
            return new Error("name-invalid", $"The product name is required: 1 to {MaxTextLength} printable characters.");
        }

        if (!Enum.IsDefined(input.ValidationLevel))
        {
            return new Error("validation-level-invalid", "The validation level must be DV, OV or EV.");
        }

        if (input.MaxSans is < 1 or > 1000)
        {
            return new Error("max-sans-invalid", "The number of names must be between 1 and 1000.");
        }

        if (input.MaxValidityDays is < 1 or > 3650)
        {
            return new Error("max-validity-invalid", "The maximum validity must be between 1 and 3650 days.");
        }

        if (!string.IsNullOrWhiteSpace(input.ProductUrl) &&
            (input.ProductUrl.Length > MaxUrlLength || !Uri.TryCreate(input.ProductUrl.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            return new Error("product-url-invalid", "The product URL must be an absolute http or https URL.");
        }

        return null;
    }

    private static bool IsText(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Trim().Length <= MaxTextLength && !value.Any(char.IsControl);

    private static Product ToProduct(ProductInput input, DateTimeOffset now) => new()
    {
        Provider = input.Provider!.Trim(),
        Name = input.Name!.Trim(),
        ValidationLevel = input.ValidationLevel,
        Wildcard = input.Wildcard,
        MaxSans = input.MaxSans,
        MaxValidityDays = input.MaxValidityDays,
        ProductUrl = string.IsNullOrWhiteSpace(input.ProductUrl) ? null : input.ProductUrl.Trim(),
        Enabled = input.Enabled,
        CreatedAt = now,
    };
}
