using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;

namespace CertMgr.Core.Deployments.Ssh;

/// <summary>From stored settings to a login and an install plan.</summary>
public static class SshInstallPlans
{
    /// <summary>Whether the settings are complete enough to log in (the rest is checked when they are saved).</summary>
    public static bool CanLogIn(SshInstallSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.Host is not null && s.Username is not null
            && (s.AuthMethod == SshAuthMethod.Password ? s.EncryptedPassword is not null : s.EncryptedPrivateKey is not null);
    }

    /// <summary>The login with its secrets opened; they live only as long as the connection.</summary>
    public static Result<SshLogin> Login(SshInstallSettings s, SecretProtector protector)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(protector);
        if (!CanLogIn(s))
        {
            return new Error("auto-install-incomplete", "The auto-install settings have no host, user, or password/key.");
        }

        try
        {
            string? Open(byte[]? sealedValue) => sealedValue is null ? null : protector.UnprotectString(sealedValue, SecretPurposes.SshSecret);
            return s.AuthMethod == SshAuthMethod.Password
                ? new SshLogin(s.Host!, s.Port, s.Username!, Open(s.EncryptedPassword), null, null, s.HostKeyFingerprint)
                : new SshLogin(s.Host!, s.Port, s.Username!, null, Open(s.EncryptedPrivateKey), Open(s.EncryptedKeyPassphrase), s.HostKeyFingerprint);
        }
        catch (SecretUnavailableException e)
        {
            return Error.Unavailable("ssh-secret-unavailable", $"The stored SSH secret cannot be opened: {e.Message} Enter the password or key again.");
        }
    }

    /// <summary>
    /// The files of <paramref name="leaf"/>, its chain and key at the settings' paths (a path left empty is not written),
    /// after checking that the key belongs to the certificate.
    /// </summary>
    public static Result<InstallPlan> Plan(SshInstallSettings s, X509Certificate2 leaf, IReadOnlyList<X509Certificate2> chain, AsymmetricAlgorithm key)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(key);
        if (!string.Equals(Thumbprints.PublicKeySha256(leaf), Thumbprints.PublicKeySha256(key.ExportSubjectPublicKeyInfo()), StringComparison.Ordinal))
        {
            return new Error("key-mismatch", "The private key does not belong to the certificate; nothing was installed.");
        }

        var cert = PemEncoding.WriteString("CERTIFICATE", leaf.RawData) + "\n";
        var chainPem = string.Concat(chain.Select(c => PemEncoding.WriteString("CERTIFICATE", c.RawData) + "\n"));
        var keyPem = key.ExportPkcs8PrivateKeyPem().TrimEnd() + "\n";
        return PlanOf(s, cert, chainPem, keyPem);
    }

    /// <summary>The plan without the key check (tests use it to install a certificate the server rejects).</summary>
    internal static InstallPlan PlanOf(SshInstallSettings s, string certPem, string chainPem, string keyPem)
    {
        var files = new List<InstallFile>();
        void Add(string? path, string content, string mode)
        {
            if (path is not null)
            {
                files.Add(new InstallFile(path, Encoding.ASCII.GetBytes(content), mode));
            }
        }

        Add(s.CertificatePath, certPem, "0644");
        if (chainPem.Length > 0)
        {
            Add(s.ChainPath, chainPem, "0644");
        }

        Add(s.FullChainPath, certPem + chainPem, "0644");
        Add(s.KeyPath, keyPem, s.KeyMode);
        Add(s.CombinedPath, certPem + chainPem + keyPem, s.KeyMode);
        return new InstallPlan(files, s.FileOwner, s.FileGroup, s.UseSudo, s.ValidateCommand, s.ReloadCommand);
    }
}
