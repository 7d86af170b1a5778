using System.Security.Cryptography;
using CertMgr.Core.Common;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;

namespace CertMgr.Core.Acme.Client;

/// <summary>How long CertMgr waits on an ACME CA inside one step before it leaves the order pending.</summary>
public sealed record AcmeOptions
{
    /// <summary>Longest wait for validation and issuance within one submit or poll.</summary>
    public TimeSpan StepWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Shortest and longest pause between two looks at an order or authorization.</summary>
    public TimeSpan MinPoll { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxPoll { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// An open ACME connection: its client (with the account key unsealed for this session only), settings and secrets.
/// <see cref="Changed"/> says whether the account URL or key was created, so the caller saves the connection.
/// </summary>
public sealed class AcmeSession : IDisposable
{
    private readonly HttpClient _http;

    private AcmeSession(CaConnection connection, AcmeConnectionSettings settings, AcmeConnectionSecrets secrets, HttpClient http, AcmeClient client)
    {
        Connection = connection;
        Settings = settings;
        Secrets = secrets;
        _http = http;
        Client = client;
    }

    public CaConnection Connection { get; }
    public AcmeConnectionSettings Settings { get; private set; }
    public AcmeConnectionSecrets Secrets { get; private set; }
    public AcmeClient Client { get; }
    public bool Changed { get; private set; }

    /// <summary>
    /// For this submission: HTTP-01 files go onto the target server over SSH instead of CertMgr's responder (set from
    /// the definition's auto-install web root; the caller owns and disposes it).
    /// </summary>
    public SshChallengeFiles? Http01Files { get; set; }

    /// <summary>Opens a session; a connection without an account key gets a new ES256 key (sealed back at once).</summary>
    public static Result<AcmeSession> Open(CaConnection connection, SecretProtector protector, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.Kind != CaConnectionKind.Acme || !Uri.TryCreate(connection.Endpoint, UriKind.Absolute, out var directory))
        {
            return new Error("acme-connection-invalid", $"The CA connection {connection.Name} is not an ACME connection with a directory URL.");
        }

        var settings = AcmeConnectionSettings.Of(connection);
        AcmeConnectionSecrets secrets;
        try
        {
            secrets = AcmeConnectionSecrets.Open(connection, protector);
        }
        catch (SecretUnavailableException)
        {
            return Error.Unavailable("acme-secret-unavailable", $"The secrets of CA connection {connection.Name} cannot be opened with this master key.");
        }

        AcmeAccountKey key;
        var changed = false;
        if (secrets.AccountKey is { Length: > 0 } pkcs8)
        {
            try
            {
                key = AcmeAccountKey.FromPkcs8(pkcs8);
            }
            catch (CryptographicException)
            {
                return Error.Unavailable("acme-account-key-unreadable", $"The account key of CA connection {connection.Name} is unreadable; create a new account.");
            }
        }
        else
        {
            key = AcmeAccountKey.CreateEs256();
            secrets = secrets with { AccountKey = key.ExportPkcs8() };
            connection.EncryptedSecret = secrets.Seal(protector);
            settings = settings with { AccountUrl = null, AccountStatus = null };
            changed = true;
        }

        var http = AcmeHttp.Create(settings.CaBundlePem);
        var client = new AcmeClient(http, directory, key, time)
        {
            AccountUrl = Uri.TryCreate(settings.AccountUrl, UriKind.Absolute, out var account) ? account : null,
        };
        return new AcmeSession(connection, settings, secrets, http, client) { Changed = changed };
    }

    /// <summary>Registers the account, or looks it up, unless the session already knows its URL.</summary>
    public async Task<Result<AcmeAccount>> EnsureAccountAsync(bool onlyReturnExisting, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (Client.AccountUrl is not null && !onlyReturnExisting)
        {
            return new AcmeAccount { Url = Client.AccountUrl, Status = Settings.AccountStatus };
        }

        var account = await Client.AccountAsync(new AcmeRegistration(Connection.AccountEmail, Settings.TermsOfServiceAgreed, Settings.EabKeyId, Secrets.EabHmacKey, onlyReturnExisting), ct);
        if (!account.IsSuccess)
        {
            return account.Error;
        }

        var directory = await Client.DirectoryAsync(ct);
        Update(Settings with
        {
            AccountUrl = account.Value.Url!.AbsoluteUri,
            AccountStatus = account.Value.Status ?? "valid",
            AccountCheckedAt = time.GetUtcNow(),
            Profiles = directory.IsSuccess ? [.. (directory.Value.Meta?.Profiles?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal)] : Settings.Profiles,
        });
        return account;
    }

    /// <summary>Changes the stored settings (written to the connection at once).</summary>
    public void Update(AcmeConnectionSettings settings)
    {
        Settings = settings;
        Connection.SettingsJson = settings.ToJson();
        Changed = true;
    }

    /// <summary>Seals changed secrets back into the connection (after a key rollover).</summary>
    public void Update(AcmeConnectionSecrets secrets, SecretProtector protector)
    {
        Secrets = secrets;
        Connection.EncryptedSecret = secrets.Seal(protector);
        Changed = true;
    }

    public void Dispose()
    {
        Client.Key.Dispose();
        _http.Dispose();
    }
}
