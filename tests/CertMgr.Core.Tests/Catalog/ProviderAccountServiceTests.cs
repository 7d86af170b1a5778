using System.Text;
using CertMgr.Core.Catalog;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Catalog;

public sealed class ProviderAccountServiceTests
{
    private static Task<T> With<T>(CoreFixture f, Func<ProviderAccountService, Task<T>> action) =>
        f.WithAsync(sp => action(sp.GetRequiredService<ProviderAccountService>()));

    [Fact]
    public async Task Create_PasswordSealedNeverInAuditAndKeptOnUpdateWithoutOne()
    {
        await using var f = await CoreFixture.CreateAsync();
        const string secret = "Sup3r-Secret-Pw!";

        var created = await With(f, s => s.CreateAsync(new ProviderAccountInput("Sectigo", "buyer", secret, "pki@example.test", "main account"), "admin", CancellationToken.None));
        var updated = await With(f, s => s.UpdateAsync(created.Value.Id, new ProviderAccountInput("Sectigo", "buyer2", null, null, null), "admin", CancellationToken.None));

        var stored = await f.DbAsync(db => db.ProviderAccounts.SingleAsync());
        Assert.Equal("buyer2", stored.Username);
        Assert.NotNull(stored.EncryptedPassword);
        Assert.DoesNotContain(secret, Encoding.UTF8.GetString(stored.EncryptedPassword!), StringComparison.Ordinal);
        Assert.True(await With(f, s => Task.FromResult(s.PasswordMatches(stored, secret))));
        Assert.False(await With(f, s => Task.FromResult(s.PasswordMatches(stored, "other"))));
        var audit = await f.DbAsync(db => db.AuditEvents.Where(e => e.ObjectType == ProviderAccountService.ObjectType).ToListAsync());
        Assert.Equal(2, audit.Count);
        Assert.DoesNotContain(audit, e => (e.Detail ?? "").Contains(secret, StringComparison.Ordinal));
        Assert.True(updated.IsSuccess);

        var cleared = await With(f, s => s.UpdateAsync(created.Value.Id, new ProviderAccountInput("Sectigo", "buyer2", null, null, null, ClearPassword: true), "admin", CancellationToken.None));
        Assert.Null(cleared.Value.EncryptedPassword);
    }

    [Fact]
    public async Task Validate_BadInput_RefusedAndNothingStored()
    {
        await using var f = await CoreFixture.CreateAsync();

        var noUser = await With(f, s => s.CreateAsync(new ProviderAccountInput("Sectigo", "", "x", null, null), "admin", CancellationToken.None));
        var badMail = await With(f, s => s.CreateAsync(new ProviderAccountInput("Sectigo", "u", "x", "not-an-email", null), "admin", CancellationToken.None));
        var missing = await With(f, s => s.DeleteAsync(Guid.NewGuid(), "admin", CancellationToken.None));

        Assert.Equal("username-invalid", noUser.Error?.Code);
        Assert.Equal("email-invalid", badMail.Error?.Code);
        Assert.Equal("provider-account-not-found", missing.Error?.Code);
        Assert.Equal(0, await f.DbAsync(db => db.ProviderAccounts.CountAsync()));
    }
}
