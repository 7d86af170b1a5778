using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments;

/// <summary>The kind of install package Prepare to Deploy builds (guide 2.8).</summary>
public enum PackageKind
{
    /// <summary>A zip with certificate, chain, full chain, encrypted key, PKCS#12 and a README for the server software.</summary>
    Conventional,

    /// <summary>One script that installs by itself: bash for Linux server software, PowerShell for IIS.</summary>
    OneClick,
}

/// <summary>A built install package: its bytes and how it is named in the document folder.</summary>
public sealed record BuiltPackage(byte[] Bytes, string FileName, string ContentType);

/// <summary>Chooses and builds the install package for a server software and package kind.</summary>
public static class DeploymentPackages
{
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 1024;

    /// <summary>Why there is no package of this kind for this software, or null.</summary>
    public static string? WhyUnsupported(ServerSoftware software, PackageKind kind) =>
        kind == PackageKind.OneClick && software is ServerSoftware.JavaKeystore or ServerSoftware.CertMgr
            ? $"There is no one-click installer for {InstallPackage.Label(software)}; choose the conventional package."
            : null;

    public static Result<BuiltPackage> Build(
        X509Certificate2 leaf, IReadOnlyList<X509Certificate2> chain, AsymmetricAlgorithm key, ServerSoftware software, PackageKind kind,
        string name, string password, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        if (string.IsNullOrEmpty(password) || password.Length < MinPasswordLength)
        {
            return new Error("password-too-short", $"The package password must have at least {MinPasswordLength} characters.");
        }

        if (password.Length > MaxPasswordLength)
        {
            return new Error("password-too-long", $"The package password must have at most {MaxPasswordLength} characters.");
        }

        if (WhyUnsupported(software, kind) is { } why)
        {
            return new Error("installer-unsupported", why);
        }

        var stem = $"{FileStem(name)}-{now.UtcDateTime:yyyyMMdd-HHmm}";
        if (kind == PackageKind.Conventional)
        {
            var zip = InstallPackage.Create(leaf, chain, key, software, name, password, now);
            return zip.IsSuccess ? new BuiltPackage(zip.Value, $"{stem}-install-package.zip", "application/zip") : zip.Error;
        }

        if (software == ServerSoftware.MicrosoftIis)
        {
            var ps = IisInstaller.Create(leaf, chain, key, name, password, now);
            return ps.IsSuccess ? new BuiltPackage(Encoding.UTF8.GetBytes(ps.Value), $"{stem}-install-iis.ps1", "text/plain") : ps.Error;
        }

        var sh = LinuxInstaller.Create(leaf, chain, key, software, name, password, now);
        return sh.IsSuccess ? new BuiltPackage(Encoding.UTF8.GetBytes(sh.Value), $"{stem}-install.sh", "text/x-shellscript") : sh.Error;
    }

    private static string FileStem(string name)
    {
        var stem = new string([.. (name ?? "").Replace("*", "wildcard", StringComparison.Ordinal).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_')]).Trim('.');
        return stem.Length == 0 ? "certificate" : stem[..Math.Min(stem.Length, 100)];
    }
}
