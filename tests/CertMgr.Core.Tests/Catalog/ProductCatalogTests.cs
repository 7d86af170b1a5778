using CertMgr.Core.Catalog;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Catalog;

public class ProductCatalogTests
{
    /// <summary>The database the class runs on; a subclass in OnPostgres.cs runs it all again on PostgreSQL.</summary>
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    private static Task<T> With<T>(CoreFixture f, Func<ProductCatalog, Task<T>> action) =>
        f.WithAsync(sp => action(sp.GetRequiredService<ProductCatalog>()));

    [Fact]
    public async Task Initialize_SeedsRealProductsAndBuiltInCa_Idempotently()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);

        var again = await With(f, c => c.EnsureSeededAsync(CancellationToken.None));
        await f.InitializeAsync();

        Assert.Equal(0, again);
        var products = await f.DbAsync(db => db.Products.Include(p => p.CaConnection).ToListAsync());
        Assert.Equal(ProductCatalog.Seed.Count + 1, products.Count);
        var le = products.Single(p => p.Name == "Let's Encrypt DV");
        Assert.Equal((ValidationLevel.DV, true, 100, 90), (le.ValidationLevel, le.Wildcard, le.MaxSans, le.MaxValidityDays));
        Assert.Contains(products, p => p.Provider == "DigiCert" && p.Name == "Secure Site EV" && p.ValidationLevel == ValidationLevel.EV);
        Assert.Contains(products, p => p.Provider == "GlobalSign" && p.Name == "OrganizationSSL");
        var builtIn = Assert.Single(products, ProductCatalog.IsBuiltIn);
        Assert.Equal(CaConnectionKind.BuiltInCa, builtIn.CaConnection!.Kind);
        Assert.Equal(1, await f.DbAsync(db => db.CaConnections.CountAsync()));
    }

    [Fact]
    public async Task CreateAndUpdate_ValidatesAndRefusesDuplicates()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var input = new ProductInput("Acme Trust", "Basic DV", ValidationLevel.DV, false, 1, 200, "https://acme-trust.example/", true);

        var created = await With(f, c => c.CreateAsync(input, "admin", CancellationToken.None));
        var duplicate = await With(f, c => c.CreateAsync(input, "admin", CancellationToken.None));
        var badUrl = await With(f, c => c.CreateAsync(input with { Name = "X", ProductUrl = "javascript:alert(1)" }, "admin", CancellationToken.None));
        var badSans = await With(f, c => c.CreateAsync(input with { Name = "Y", MaxSans = 0 }, "admin", CancellationToken.None));
        var noName = await With(f, c => c.CreateAsync(input with { Name = " " }, "admin", CancellationToken.None));
        var disabled = await With(f, c => c.UpdateAsync(created.Value.Id, input with { Enabled = false, MaxSans = 5 }, "admin", CancellationToken.None));

        Assert.True(created.IsSuccess);
        Assert.Equal("product-exists", duplicate.Error?.Code);
        Assert.Equal("product-url-invalid", badUrl.Error?.Code);
        Assert.Equal("max-sans-invalid", badSans.Error?.Code);
        Assert.Equal("name-invalid", noName.Error?.Code);
        Assert.False(disabled.Value.Enabled);
        Assert.Equal(5, (await With(f, c => c.FindAsync(created.Value.Id, CancellationToken.None)))!.MaxSans);
        Assert.Equal(2, await f.DbAsync(db => db.AuditEvents.CountAsync(e => e.ObjectType == ProductCatalog.ObjectType)));
    }

    [Fact]
    public async Task ForDefinition_WildcardDefinition_OnlyWildcardProductsFit()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var id = await Acquisition.AcquisitionTestData.AddDefinitionAsync(f, "*.shop.example.test", ["*.shop.example.test", "shop.example.test"]);

        var fits = await With(f, c => c.ForDefinitionAsync(id, CancellationToken.None));

        var names = fits.Value.Where(p => p.Fits).Select(p => p.Product.Name).ToList();
        Assert.Contains("PositiveSSL Wildcard", names);
        Assert.Contains("Let's Encrypt DV", names);
        Assert.DoesNotContain("PositiveSSL DV", names);
        Assert.DoesNotContain("Secure Site EV", names);
        Assert.True(fits.Value.SkipWhile(p => p.Fits).All(p => !p.Fits));
    }
}
