namespace CertMgr.Data.Model;

/// <summary>How CertMgr logs in to a target server over SSH.</summary>
public enum SshAuthMethod
{
    Password,
    PrivateKey,
}

/// <summary>
/// A definition's auto-install settings (guide 2.8, 4.3.3), one per definition: where to log in over SSH, how, the
/// server software profile, and where its files go. The password and private key are sealed (purpose "ssh-secret") and
/// never leave CertMgr; the host key is pinned at the first successful login.
/// </summary>
public sealed class SshInstallSettings
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DefinitionId { get; set; }
    public CertificateDefinition Definition { get; set; } = null!;

    /// <summary>Off keeps the settings but installs by hand.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The server software profile; <see cref="ServerSoftware.CertMgr"/> is this CertMgr's own console (no SSH).</summary>
    public ServerSoftware Profile { get; set; } = ServerSoftware.Nginx;

    public string? Host { get; set; }
    public int Port { get; set; } = 22;
    public string? Username { get; set; }
    public SshAuthMethod AuthMethod { get; set; } = SshAuthMethod.PrivateKey;
    /// <summary>Sealed password (purpose "ssh-secret").</summary>
    public byte[]? EncryptedPassword { get; set; }
    /// <summary>Sealed private key in OpenSSH or PEM form (purpose "ssh-secret").</summary>
    public byte[]? EncryptedPrivateKey { get; set; }
    /// <summary>Sealed passphrase of the private key, if it has one.</summary>
    public byte[]? EncryptedKeyPassphrase { get; set; }

    /// <summary>The pinned host key's algorithm, e.g. ssh-ed25519; set at the first successful login.</summary>
    public string? HostKeyAlgorithm { get; set; }
    /// <summary>The pinned host key's SHA-256 fingerprint as <c>ssh-keygen -l</c> shows it (SHA256:base64).</summary>
    public string? HostKeyFingerprint { get; set; }

    /// <summary>Run the file and service commands through <c>sudo -n</c>.</summary>
    public bool UseSudo { get; set; }

    // Where the files go; a null path is not written.
    public string? CertificatePath { get; set; }
    public string? ChainPath { get; set; }
    public string? FullChainPath { get; set; }
    public string? KeyPath { get; set; }
    /// <summary>Certificate, chain and key in one file (HAProxy).</summary>
    public string? CombinedPath { get; set; }
    public string? FileOwner { get; set; }
    public string? FileGroup { get; set; }
    /// <summary>Octal mode of the key and combined files, e.g. 0600 or 0640; never world-readable.</summary>
    public string KeyMode { get; set; } = "0600";
    public string? ValidateCommand { get; set; }
    public string? ReloadCommand { get; set; }

    /// <summary>
    /// The web root the server serves the definition's names from over plain HTTP (port 80): when set, an ACME CA
    /// connection with HTTP-01 places its challenge files under <c>{root}/.well-known/acme-challenge/</c> on this server
    /// over this SSH login, instead of CertMgr's own responder, and removes them afterwards.
    /// </summary>
    public string? Http01WebRoot { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
