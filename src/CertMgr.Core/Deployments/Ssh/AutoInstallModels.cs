using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments.Ssh;

/// <summary>
/// What a person (or the API) submits for a definition's auto-install. Secrets are write-only: an empty password, key
/// or passphrase keeps the stored one. An empty path or command takes the profile's default.
/// </summary>
public sealed record AutoInstallInput
{
    public bool Enabled { get; init; } = true;
    public ServerSoftware Profile { get; init; } = ServerSoftware.Nginx;
    public string? Host { get; init; }
    public int Port { get; init; } = 22;
    public string? Username { get; init; }
    public SshAuthMethod AuthMethod { get; init; } = SshAuthMethod.PrivateKey;
    public string? Password { get; init; }
    public string? PrivateKey { get; init; }
    public string? KeyPassphrase { get; init; }
    public bool UseSudo { get; init; }
    public string? CertificatePath { get; init; }
    public string? ChainPath { get; init; }
    public string? FullChainPath { get; init; }
    public string? KeyPath { get; init; }
    public string? CombinedPath { get; init; }
    public string? FileOwner { get; init; }
    public string? FileGroup { get; init; }
    public string? KeyMode { get; init; }
    public string? ValidateCommand { get; init; }
    public string? ReloadCommand { get; init; }
    /// <summary>The web root for ACME HTTP-01 challenge files on this server (empty: CertMgr's own responder).</summary>
    public string? Http01WebRoot { get; init; }
    /// <summary>Forget the pinned host key: the next successful login pins the one it sees.</summary>
    public bool ClearHostKey { get; init; }

    public override string ToString() => $"AutoInstallInput {{ Profile = {Profile}, Host = {Host}, Port = {Port}, Username = {Username} }}";
}

/// <summary>The stored settings as shown and returned: never a password, key or passphrase, only whether one is stored.</summary>
public sealed record AutoInstallView(
    Guid DefinitionId,
    bool Enabled,
    ServerSoftware Profile,
    string? Host,
    int Port,
    string? Username,
    SshAuthMethod AuthMethod,
    bool HasPassword,
    bool HasPrivateKey,
    bool HasKeyPassphrase,
    string? HostKeyAlgorithm,
    string? HostKeyFingerprint,
    bool UseSudo,
    string? CertificatePath,
    string? ChainPath,
    string? FullChainPath,
    string? KeyPath,
    string? CombinedPath,
    string? FileOwner,
    string? FileGroup,
    string KeyMode,
    string? ValidateCommand,
    string? ReloadCommand,
    DateTimeOffset UpdatedAt,
    string? Http01WebRoot = null)
{
    public static AutoInstallView From(SshInstallSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.DefinitionId, s.Enabled, s.Profile, s.Host, s.Port, s.Username, s.AuthMethod, s.EncryptedPassword is not null,
            s.EncryptedPrivateKey is not null, s.EncryptedKeyPassphrase is not null, s.HostKeyAlgorithm, s.HostKeyFingerprint, s.UseSudo,
            s.CertificatePath, s.ChainPath, s.FullChainPath, s.KeyPath, s.CombinedPath, s.FileOwner, s.FileGroup, s.KeyMode,
            s.ValidateCommand, s.ReloadCommand, s.UpdatedAt, s.Http01WebRoot);
    }
}

/// <summary>One thing the Test action looked at.</summary>
public sealed record AutoInstallFinding(string Name, bool Ok, string Detail);

/// <summary>What the Test action found; it changes nothing on the server.</summary>
public sealed record AutoInstallTestReport(bool Ok, IReadOnlyList<AutoInstallFinding> Findings);
