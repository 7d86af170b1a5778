using CertMgr.Core.Security;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Security;

public sealed class ApiTokensTests
{
    private static async Task<Guid> AddUserAsync(CoreFixture f, string name = "alice", UserRole role = UserRole.User) =>
        await f.DbAsync(async db =>
        {
            var user = new User { UserName = name, NormalizedUserName = name.ToUpperInvariant(), PasswordHash = "x", Role = role };
            db.Users.Add(user);
            await db.SaveChangesAsync();
            return user.Id;
        });

    private static Task<T> TokensAsync<T>(CoreFixture f, Func<ApiTokens, Task<T>> use) =>
        f.WithAsync(sp => use(sp.GetRequiredService<ApiTokens>()));

    [Fact]
    public async Task Create_ValidName_SecretShownOnceHashStoredAndValidates()
    {
        await using var f = await CoreFixture.CreateAsync();
        var userId = await AddUserAsync(f);

        var created = await TokensAsync(f, t => t.CreateAsync(userId, "  deploy pipeline ", 30, CancellationToken.None));
        var row = await f.DbAsync(db => db.ApiTokens.AsNoTracking().SingleAsync());
        var user = await TokensAsync(f, t => t.ValidateAsync(created.Value.Secret, CancellationToken.None));

        Assert.True(created.IsSuccess);
        Assert.Matches("^cmt_[A-Za-z0-9_-]{43}$", created.Value.Secret);
        Assert.Equal("deploy pipeline", row.Name);
        Assert.Equal(ApiTokens.Hash(created.Value.Secret), row.TokenHash);
        Assert.DoesNotContain(created.Value.Secret, row.TokenHash + row.Prefix + row.Name, StringComparison.Ordinal);
        Assert.Equal(f.Time.GetUtcNow().AddDays(30), row.ExpiresAt);
        Assert.Equal(userId, user.Value.Id);
        Assert.True(await f.DbAsync(db => db.AuditEvents.AnyAsync(e => e.ObjectType == "ApiToken" && e.Action == "create")));
    }

    [Theory]
    [InlineData(null, 30, "token-name-required")]
    [InlineData("   ", 30, "token-name-required")]
    [InlineData("bad\nname", 30, "token-name-invalid")]
    [InlineData("ok", 0, "token-expiry-invalid")]
    [InlineData("ok", 4000, "token-expiry-invalid")]
    public async Task Create_BadInput_RefusedAndNothingStored(string? name, int days, string code)
    {
        await using var f = await CoreFixture.CreateAsync();
        var userId = await AddUserAsync(f);

        var created = await TokensAsync(f, t => t.CreateAsync(userId, name, days, CancellationToken.None));

        Assert.Equal(code, created.Error?.Code);
        Assert.Equal(0, await f.DbAsync(db => db.ApiTokens.CountAsync()));
    }

    [Fact]
    public async Task Validate_ExpiredRevokedUnknownDisabled_Refused()
    {
        await using var f = await CoreFixture.CreateAsync();
        var userId = await AddUserAsync(f);
        var other = await AddUserAsync(f, "bob");
        var expiring = (await TokensAsync(f, t => t.CreateAsync(userId, "short", 1, CancellationToken.None))).Value;
        var revoked = (await TokensAsync(f, t => t.CreateAsync(userId, "revoked", null, CancellationToken.None))).Value;
        var bobs = (await TokensAsync(f, t => t.CreateAsync(other, "bob's", null, CancellationToken.None))).Value;

        var notYours = await TokensAsync(f, t => t.RevokeAsync(other, revoked.Token.Id, CancellationToken.None));
        var revokedOk = await TokensAsync(f, t => t.RevokeAsync(userId, revoked.Token.Id, CancellationToken.None));
        await f.DbAsync(db => db.Users.Where(u => u.Id == other).ExecuteUpdateAsync(s => s.SetProperty(u => u.Disabled, true)));
        f.Time.Advance(TimeSpan.FromDays(1));

        Assert.Equal("token-not-found", notYours.Error?.Code);
        Assert.True(revokedOk.IsSuccess);
        Assert.Equal("token-expired", (await TokensAsync(f, t => t.ValidateAsync(expiring.Secret, CancellationToken.None))).Error?.Code);
        Assert.Equal("token-revoked", (await TokensAsync(f, t => t.ValidateAsync(revoked.Secret, CancellationToken.None))).Error?.Code);
        Assert.Equal("user-disabled", (await TokensAsync(f, t => t.ValidateAsync(bobs.Secret, CancellationToken.None))).Error?.Code);
        Assert.Equal("token-invalid", (await TokensAsync(f, t => t.ValidateAsync(expiring.Secret + "x", CancellationToken.None))).Error?.Code);
        Assert.Equal("token-invalid", (await TokensAsync(f, t => t.ValidateAsync(null, CancellationToken.None))).Error?.Code);
        var listed = await TokensAsync(f, t => t.ListAsync(userId, CancellationToken.None));
        Assert.Equal(["revoked", "short"], listed.Select(t => t.Name).Order());
        Assert.All(listed, t => Assert.False(t.IsActive(f.Time.GetUtcNow())));
    }

    [Fact]
    public async Task Validate_LastUsedAt_WrittenAtMostOncePerMinute()
    {
        await using var f = await CoreFixture.CreateAsync();
        var userId = await AddUserAsync(f);
        var secret = (await TokensAsync(f, t => t.CreateAsync(userId, "ci", null, CancellationToken.None))).Value.Secret;
        var start = f.Time.GetUtcNow();

        await TokensAsync(f, t => t.ValidateAsync(secret, CancellationToken.None));
        f.Time.Advance(TimeSpan.FromSeconds(30));
        await TokensAsync(f, t => t.ValidateAsync(secret, CancellationToken.None));
        var afterHalfMinute = await f.DbAsync(db => db.ApiTokens.Select(t => t.LastUsedAt).SingleAsync());
        f.Time.Advance(TimeSpan.FromSeconds(31));
        await TokensAsync(f, t => t.ValidateAsync(secret, CancellationToken.None));
        var afterMinute = await f.DbAsync(db => db.ApiTokens.Select(t => t.LastUsedAt).SingleAsync());

        Assert.Equal(start, afterHalfMinute);
        Assert.Equal(start.AddSeconds(61), afterMinute);
    }
}
