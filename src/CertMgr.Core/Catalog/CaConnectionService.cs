using System.Net.Mail;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Catalog;

/// <summary>
/// What an admin enters for a CA connection. Secrets (EAB HMAC key, TSIG secret) are write-only: null keeps the
/// stored one, <paramref name="ClearEab"/> removes the binding.
/// </summary>
public sealed record CaConnectionInput(
    string? Name,
    CaConnectionKind Kind,
    string? DirectoryUrl = null,
    string? Email = null,
    bool TermsOfServiceAgreed = false,
    string? EabKeyId = null,
    string? EabHmacKey = null,
    bool ClearEab = false,
    string? CaBundlePem = null,
    AcmeChallengeType Challenge = AcmeChallengeType.Http01,
    string? Http01Address = null,
    string? DnsServer = null,
    string? DnsZone = null,
    string? TsigKeyName = null,
    string? TsigAlgorithm = null,
    string? TsigSecret = null);

/// <summary>A CA connection as shown: never a secret, only whether one is set.</summary>
public sealed record CaConnectionView(
    Guid Id, string Name, CaConnectionKind Kind, string? DirectoryUrl, string? Email, AcmeConnectionSettings Acme,
    bool HasAccountKey, bool HasEabHmacKey, bool HasTsigSecret, int ProductCount, DateTimeOffset CreatedAt)
{
    public static CaConnectionView Of(CaConnection c, AcmeConnectionSecrets? secrets) => new(
        c.Id, c.Name, c.Kind, c.Endpoint, c.AccountEmail, c.Kind == CaConnectionKind.Acme ? AcmeConnectionSettings.Of(c) : new AcmeConnectionSettings(),
        secrets?.AccountKey is { Length: > 0 }, secrets?.EabHmacKey is { Length: > 0 }, secrets?.TsigSecret is { Length: > 0 }, c.Products.Count, c.CreatedAt);
}

/// <summary>
/// CA connections (the guide's CA Contracts, 2.11/4.6): the built-in CA, ACME CAs and manual (by-hand) CAs. An ACME
/// connection holds its directory URL, contact, ToS agreement, optional EAB, its sealed account key and account
/// URL; registering the account also lists the CA's profiles as products (one default product when it lists none).
/// </summary>
public sealed class CaConnectionService(CertMgrDbContext db, SecretProtector protector, TimeProvider time)
{
    public const string ObjectType = "CaConnection";
    public const int MaxNameLength = 100;
    public const int MaxBundleLength = 64 * 1024;
    public const int DefaultAcmeValidityDays = 90;

    public async Task<List<CaConnectionView>> ListAsync(CancellationToken ct)
    {
        var rows = await db.CaConnections.AsNoTracking().Include(c => c.Products).OrderBy(c => c.Name).ToListAsync(ct);
        return [.. rows.Select(View)];
    }

    public async Task<CaConnectionView?> FindAsync(Guid id, CancellationToken ct)
    {
        var row = await db.CaConnections.AsNoTracking().Include(c => c.Products).SingleOrDefaultAsync(c => c.Id == id, ct);
        return row is null ? null : View(row);
    }

    public Task<List<Product>> ProductsAsync(Guid id, CancellationToken ct) =>
        db.Products.AsNoTracking().Where(p => p.CaConnectionId == id).OrderBy(p => p.Name).ToListAsync(ct);

    /// <summary>The submissions (Requests to CA) sent through a connection, newest first.</summary>
    public Task<List<CaSubmission>> SubmissionsAsync(Guid id, int take, CancellationToken ct) =>
        db.CaSubmissions.AsNoTracking().Include(s => s.Request).ThenInclude(r => r.Definition)
            .Where(s => s.CaConnectionId == id).OrderByDescending(s => s.SubmittedAt).Take(Math.Clamp(take, 1, 500)).ToListAsync(ct);

    public async Task<Result<CaConnectionView>> CreateAsync(CaConnectionInput input, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var invalid = Validate(input, null);
        if (invalid is not null)
        {
            return invalid;
        }

        var name = input.Name!.Trim();
        if (await db.CaConnections.AnyAsync(c => c.Name == name, ct))
        {
            return Error.Invalid("ca-connection-exists", $"A CA connection named {name} exists already.", "Name");
        }

        if (input.Kind == CaConnectionKind.BuiltInCa && await db.CaConnections.AnyAsync(c => c.Kind == CaConnectionKind.BuiltInCa, ct))
        {
            return Error.Conflict("builtin-connection-exists", "There is one built-in CA connection already; edit it instead.");
        }

        var now = time.GetUtcNow();
        var connection = new CaConnection { Name = name, Kind = input.Kind, CreatedAt = now };
        Apply(connection, input);
        db.CaConnections.Add(connection);
        if (input.Kind == CaConnectionKind.Acme)
        {
            EnsureProducts(connection, AcmeConnectionSettings.Of(connection), now);
        }

        db.Record(now, actor, ObjectType, connection.Id.ToString(), "create", detail: $"{connection.Kind} connection {connection.Name}");
        await db.SaveChangesAsync(ct);
        return View(connection);
    }

    public async Task<Result<CaConnectionView>> UpdateAsync(Guid id, CaConnectionInput input, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var connection = await db.CaConnections.Include(c => c.Products).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (connection is null)
        {
            return NotFound();
        }

        if (input.Kind != connection.Kind)
        {
            return Error.Invalid("ca-connection-kind-fixed", "The kind of a CA connection cannot change; create a new connection.", "Kind");
        }

        var invalid = Validate(input, connection);
        if (invalid is not null)
        {
            return invalid;
        }

        var name = input.Name!.Trim();
        if (await db.CaConnections.AnyAsync(c => c.Id != id && c.Name == name, ct))
        {
            return Error.Invalid("ca-connection-exists", $"A CA connection named {name} exists already.", "Name");
        }

        connection.Name = name;
        Apply(connection, input);
        foreach (var product in connection.Products)
        {
            // The selector shows provider + product: a renamed connection renames its products' provider.
            product.Provider = name;
        }

        db.Record(time.GetUtcNow(), actor, ObjectType, connection.Id.ToString(), "update", detail: $"{connection.Kind} connection {connection.Name}");
        await db.SaveChangesAsync(ct);
        return View(connection);
    }

    /// <summary>Deletes a connection no request was submitted through; its products stay as manual ones.</summary>
    public async Task<Result<CaConnectionView>> DeleteAsync(Guid id, string actor, CancellationToken ct)
    {
        var connection = await db.CaConnections.Include(c => c.Products).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (connection is null)
        {
            return NotFound();
        }

        if (connection.Kind == CaConnectionKind.BuiltInCa)
        {
            return Error.Conflict("builtin-connection-fixed", "The built-in CA connection cannot be deleted.");
        }

        if (await db.CaSubmissions.AnyAsync(s => s.CaConnectionId == id, ct))
        {
            return Error.Conflict("ca-connection-in-use", "Requests were submitted through this connection; its history keeps it. Disable its products instead.");
        }

        foreach (var product in connection.Products)
        {
            product.Enabled = false;
        }

        var view = View(connection);
        db.CaConnections.Remove(connection);
        db.Record(time.GetUtcNow(), actor, ObjectType, id.ToString(), "delete", detail: $"{connection.Kind} connection {connection.Name}");
        await db.SaveChangesAsync(ct);
        return view;
    }

    /// <summary>
    /// Registers the ACME account (or, with <paramref name="lookupOnly"/>, finds the existing one for the stored key),
    /// stores its URL and status, and refreshes the connection's products from the directory's profiles.
    /// </summary>
    public async Task<Result<CaConnectionView>> RegisterAccountAsync(Guid id, bool lookupOnly, string actor, CancellationToken ct)
    {
        var connection = await db.CaConnections.Include(c => c.Products).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (connection is null)
        {
            return NotFound();
        }

        if (connection.Kind != CaConnectionKind.Acme)
        {
            return new Error("not-acme", "Only ACME connections have an account to register.");
        }

        var settings = AcmeConnectionSettings.Of(connection);
        if (!settings.TermsOfServiceAgreed && !lookupOnly)
        {
            return Error.Invalid("tos-not-agreed", "Agree to the CA's terms of service before registering the account.", "TermsOfServiceAgreed");
        }

        var opened = AcmeSession.Open(connection, protector, time);
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        using var session = opened.Value;
        var account = await session.EnsureAccountAsync(onlyReturnExisting: true, time, ct);
        if (!account.IsSuccess && !lookupOnly && account.Error.Code == "acme-account-does-not-exist")
        {
            account = await session.EnsureAccountAsync(onlyReturnExisting: false, time, ct);
        }

        var now = time.GetUtcNow();
        if (!account.IsSuccess)
        {
            if (session.Changed)
            {
                await db.SaveChangesAsync(ct);
            }

            db.Record(now, actor, ObjectType, id.ToString(), "register-account", success: false, detail: account.Error.Message);
            await db.SaveChangesAsync(ct);
            return account.Error;
        }

        EnsureProducts(connection, session.Settings, now);
        db.Record(now, actor, ObjectType, id.ToString(), lookupOnly ? "lookup-account" : "register-account", detail: $"account {account.Value.Url} {account.Value.Status}");
        await db.SaveChangesAsync(ct);
        return View(connection);
    }

    /// <summary>Deactivates the ACME account at the CA; a new registration then needs a new key.</summary>
    public async Task<Result<CaConnectionView>> DeactivateAccountAsync(Guid id, string actor, CancellationToken ct)
    {
        var opened = await OpenAcmeAsync(id, ct);
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        var (connection, session) = opened.Value;
        using var _ = session;
        if (session.Client.AccountUrl is null)
        {
            return new Error("acme-no-account", "The connection has no registered account.");
        }

        var result = await session.Client.DeactivateAsync(ct);
        if (!result.IsSuccess)
        {
            return result.Error;
        }

        // The deactivated account's key is useless now: drop it, so the next registration makes a fresh account.
        session.Update(session.Secrets with { AccountKey = null }, protector);
        session.Update(session.Settings with { AccountUrl = null, AccountStatus = "deactivated", AccountCheckedAt = time.GetUtcNow() });
        db.Record(time.GetUtcNow(), actor, ObjectType, id.ToString(), "deactivate-account", detail: result.Value.Url?.AbsoluteUri);
        await db.SaveChangesAsync(ct);
        return View(connection);
    }

    /// <summary>Rolls the account over to a new ES256 key (RFC 8555 7.3.5) and seals it.</summary>
    public async Task<Result<CaConnectionView>> RollOverKeyAsync(Guid id, string actor, CancellationToken ct)
    {
        var opened = await OpenAcmeAsync(id, ct);
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        var (connection, session) = opened.Value;
        using var _ = session;
        var old = session.Client.Key;
        var newKey = AcmeAccountKey.CreateEs256();
        var changed = await session.Client.ChangeKeyAsync(newKey, ct);
        if (!changed.IsSuccess)
        {
            newKey.Dispose();
            return changed.Error;
        }

        old.Dispose();
        session.Update(session.Secrets with { AccountKey = newKey.ExportPkcs8() }, protector);
        db.Record(time.GetUtcNow(), actor, ObjectType, id.ToString(), "rollover-key");
        await db.SaveChangesAsync(ct);
        return View(connection);
    }

    /// <summary>An ACME connection (with its products) and its open session; the caller disposes the session.</summary>
    private async Task<Result<(CaConnection Connection, AcmeSession Session)>> OpenAcmeAsync(Guid id, CancellationToken ct)
    {
        var connection = await db.CaConnections.Include(c => c.Products).SingleOrDefaultAsync(c => c.Id == id && c.Kind == CaConnectionKind.Acme, ct);
        if (connection is null)
        {
            return NotFound();
        }

        var opened = AcmeSession.Open(connection, protector, time);
        return opened.IsSuccess ? (connection, opened.Value) : opened.Error;
    }

    /// <summary>
    /// One product per profile the directory lists, else one default product; never removes used ones, but disables the
    /// products of profiles the directory no longer lists.
    /// </summary>
    private static void EnsureProducts(CaConnection connection, AcmeConnectionSettings settings, DateTimeOffset now)
    {
        var wanted = settings.Profiles.Count > 0 ? settings.Profiles.Select(p => ((string?)p, $"{connection.Name} {p}")).ToList() : [(null, $"{connection.Name} DV")];
        foreach (var (profile, name) in wanted)
        {
            if (connection.Products.Any(p => p.Template == profile && (profile is not null || p.Name == name)))
            {
                continue;
            }

            connection.Products.Add(new Product
            {
                Provider = connection.Name,
                Name = name,
                ValidationLevel = ValidationLevel.DV,
                Wildcard = settings.Challenge == AcmeChallengeType.Dns01,
                MaxSans = 100,
                MaxValidityDays = DefaultAcmeValidityDays,
                Template = profile,
                CaConnection = connection,
                CreatedAt = now,
            });
        }

        foreach (var product in connection.Products)
        {
            product.Provider = connection.Name;
            if (product.Template is { } template && !settings.Profiles.Contains(template))
            {
                // The CA dropped this profile: an order naming it would be refused (invalidProfile), so stop offering it.
                product.Enabled = false;
            }
        }
    }

    private void Apply(CaConnection connection, CaConnectionInput input)
    {
        if (input.Kind != CaConnectionKind.Acme)
        {
            connection.Endpoint = null;
            connection.AccountEmail = string.IsNullOrWhiteSpace(input.Email) ? null : input.Email.Trim();
            return;
        }

        var settings = AcmeConnectionSettings.Of(connection);
        var secrets = AcmeConnectionSecrets.Open(connection, protector);
        var endpoint = input.DirectoryUrl!.Trim();
        if (connection.Endpoint is not null && connection.Endpoint != endpoint)
        {
            // Another CA: the old account means nothing there.
            settings = settings with { AccountUrl = null, AccountStatus = null, Profiles = [] };
            secrets = secrets with { AccountKey = null };
        }

        connection.Endpoint = endpoint;
        connection.AccountEmail = string.IsNullOrWhiteSpace(input.Email) ? null : input.Email.Trim();
        settings = settings with
        {
            TermsOfServiceAgreed = input.TermsOfServiceAgreed,
            EabKeyId = input.ClearEab ? null : Blank(input.EabKeyId) ?? settings.EabKeyId,
            CaBundlePem = Blank(input.CaBundlePem),
            Challenge = input.Challenge,
            Http01Address = Blank(input.Http01Address),
            DnsServer = Blank(input.DnsServer),
            DnsZone = Blank(input.DnsZone)?.TrimEnd('.'),
            TsigKeyName = Blank(input.TsigKeyName),
            TsigAlgorithm = Blank(input.TsigAlgorithm)?.ToLowerInvariant() ?? (Blank(input.TsigKeyName) is null ? null : "hmac-sha256"),
        };
        if (input.ClearEab)
        {
            secrets = secrets with { EabHmacKey = null };
        }
        else if (Blank(input.EabHmacKey) is { } hmac)
        {
            secrets = secrets with { EabHmacKey = Base64Url.Decode(hmac.TrimEnd('=')) };
        }

        if (Blank(input.TsigSecret) is { } tsig)
        {
            secrets = secrets with { TsigSecret = Convert.FromBase64String(tsig) };
        }

        connection.SettingsJson = settings.ToJson();
        connection.EncryptedSecret = secrets.Seal(protector);
    }

    /// <summary>Per-field checks; the messages never echo a secret.</summary>
    private Error? Validate(CaConnectionInput input, CaConnection? existing)
    {
        var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) => fields[field] = [message];
        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            Add("Name", "Enter a name.");
        }
        else if (name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            Add("Name", $"The name must be at most {MaxNameLength} printable characters.");
        }

        if (!Enum.IsDefined(input.Kind))
        {
            Add("Kind", "Choose built-in, ACME or manual.");
        }

        if (Blank(input.Email) is { } email && (email.Length > 320 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email))
        {
            Add("Email", "Enter one email address, e.g. pki@example.com.");
        }

        if (input.Kind == CaConnectionKind.Acme)
        {
            ValidateAcme(input, existing, Add);
        }

        return fields.Count == 0 ? null : Error.Invalid("ca-connection-invalid", "Correct the marked fields.", fields);
    }

    private void ValidateAcme(CaConnectionInput input, CaConnection? existing, Action<string, string> add)
    {
        if (!Uri.TryCreate(input.DirectoryUrl?.Trim(), UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps || url.AbsoluteUri.Length > 2048)
        {
            add("DirectoryUrl", "Enter the CA's ACME directory URL (https://…), e.g. https://acme-v02.api.letsencrypt.org/directory.");
        }

        if (Blank(input.EabKeyId) is { Length: > 200 })
        {
            add("EabKeyId", "The EAB key id must be at most 200 characters.");
        }

        if (Blank(input.EabHmacKey) is { } hmac && !IsBase64Url(hmac))
        {
            add("EabHmacKey", "The EAB HMAC key must be the base64url text the CA gave you.");
        }

        var existingSecrets = existing is null ? null : AcmeConnectionSecrets.Open(existing, protector);
        var existingSettings = existing is null ? null : AcmeConnectionSettings.Of(existing);
        var hasHmac = !input.ClearEab && (Blank(input.EabHmacKey) is not null || existingSecrets?.EabHmacKey is { Length: > 0 });
        var hasKid = !input.ClearEab && (Blank(input.EabKeyId) is not null || existingSettings?.EabKeyId is not null);
        if (hasHmac != hasKid)
        {
            add(hasKid ? "EabHmacKey" : "EabKeyId", "External Account Binding needs both the key id and the HMAC key.");
        }

        if (Blank(input.CaBundlePem) is { } bundle)
        {
            if (bundle.Length > MaxBundleLength)
            {
                add("CaBundlePem", $"The CA bundle must be at most {MaxBundleLength / 1024} KB of PEM.");
            }
            else
            {
                try
                {
                    var anchors = new X509Certificate2Collection();
                    anchors.ImportFromPem(bundle);
                    if (anchors.Count == 0)
                    {
                        add("CaBundlePem", "The CA bundle holds no PEM certificate.");
                    }

                    foreach (var c in anchors)
                    {
                        c.Dispose();
                    }
                }
                catch (CryptographicException)
                {
                    add("CaBundlePem", "The CA bundle is not readable PEM certificates.");
                }
            }
        }

        if (!Enum.IsDefined(input.Challenge))
        {
            add("Challenge", "Choose HTTP-01 or DNS-01.");
        }
        else if (input.Challenge == AcmeChallengeType.Http01)
        {
            // Blank: every definition places its challenge files on its server over SSH (its auto-install web root).
            if (Blank(input.Http01Address) is not null && !Http01Responder.ParseAddress(input.Http01Address).IsSuccess)
            {
                add("Http01Address", "Enter the address CertMgr's HTTP-01 responder listens on, e.g. 0.0.0.0:80, or leave it empty when definitions set a web root for HTTP-01 over SSH.");
            }
        }
        else
        {
            if (!AcmeOrderFlow.TryParseServer(input.DnsServer, out _))
            {
                add("DnsServer", "Enter the zone's authoritative DNS server as address:port, e.g. 192.0.2.53:53.");
            }

            if (Blank(input.DnsZone) is not { } zone || zone.Length > 253 || zone.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
            {
                add("DnsZone", "Enter the DNS zone the names are in, e.g. example.com.");
            }

            if (Blank(input.TsigKeyName) is not { } keyName || keyName.Length > 253)
            {
                add("TsigKeyName", "Enter the TSIG key name the DNS server allows updates with.");
            }

            if (Blank(input.TsigAlgorithm) is { } alg && !TsigKey.Algorithms.Contains(alg.ToLowerInvariant()))
            {
                add("TsigAlgorithm", "Choose hmac-sha256 or hmac-sha512.");
            }

            var hasTsig = Blank(input.TsigSecret) is not null || existingSecrets?.TsigSecret is { Length: > 0 };
            if (Blank(input.TsigSecret) is { } secret && !IsBase64(secret))
            {
                add("TsigSecret", "The TSIG secret must be base64, as in the DNS server's key statement.");
            }
            else if (!hasTsig)
            {
                add("TsigSecret", "Enter the TSIG secret.");
            }
        }
    }

    private CaConnectionView View(CaConnection connection)
    {
        AcmeConnectionSecrets? secrets = null;
        if (connection.Kind == CaConnectionKind.Acme)
        {
            try
            {
                secrets = AcmeConnectionSecrets.Open(connection, protector);
            }
            catch (SecretUnavailableException)
            {
                secrets = null;
            }
        }

        return CaConnectionView.Of(connection, secrets);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static bool IsBase64Url(string text)
    {
        try
        {
            return Base64Url.Decode(text.TrimEnd('=')).Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var n) && n > 0;
    }

    private static Error NotFound() => Error.NotFound("ca-connection-not-found", "No CA connection has that id.");
}
