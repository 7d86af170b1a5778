using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Catalog;
using CertMgr.Core.TrustedCas;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Unattended;

/// <summary>What every unattended test definition needs: a trusted CA set with the built-in CA's root, and a built-in CA product.</summary>
internal static class UnattendedTestData
{
    /// <summary>
    /// A new trusted CA set holding the built-in CA's root, and the "Built-in 30 days" product (made once): it issues for
    /// 30 days, so a fresh certificate is already within the default 60-day renewal lead time.
    /// </summary>
    public static async Task<(Guid SetId, Guid ProductId)> TrustAndProductAsync(CoreFixture f)
    {
        var root = await f.DbAsync(db => db.PrivateCas.AsNoTracking().Where(c => c.IsCurrent).Select(c => c.CertificateDer!).SingleAsync());
        var set = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().CreateAsync("Built-in " + Guid.NewGuid().ToString("N")[..6], [], "t", CancellationToken.None));
        await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().SaveAndMergeAsync(set.Value.Id, [],
            [Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", root))], [], "t", CancellationToken.None));
        var productId = await f.DbAsync(async db =>
        {
            var connection = await db.CaConnections.SingleAsync(c => c.Kind == CaConnectionKind.BuiltInCa);
            var product = await db.Products.FirstOrDefaultAsync(p => p.Name == "Built-in 30 days");
            if (product is null)
            {
                product = new Product
                {
                    Provider = ProductCatalog.BuiltInProvider, Name = "Built-in 30 days", CaConnectionId = connection.Id, MaxValidityDays = 30, MaxSans = 100,
                    Wildcard = true, ValidationLevel = ValidationLevel.DV, CreatedAt = f.Time.GetUtcNow(),
                };
                db.Products.Add(product);
                await db.SaveChangesAsync();
            }

            return product.Id;
        });
        return (set.Value.Id, productId);
    }
}
