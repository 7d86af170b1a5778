using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Core.Pki.Writing;

namespace CertMgr.Core.Deployments;

/// <summary>
/// The one-click installer for Microsoft IIS (guide 2.8): a small PowerShell script carrying the certificate, chain and
/// key as PKCS#12 (AES-256, protected by the installer password). It asks for the password, imports the PFX into
/// LocalMachine\My, binds it to the site's https binding (WebAdministration), keeps the previous thumbprint so that
/// <c>-Rollback</c> puts it back, and rebinds the old certificate if binding the new one fails.
/// It cannot run on this build machine: it is reviewed, not tested on Windows (docs/deployment.md).
/// </summary>
public static class IisInstaller
{
    public const int MinPasswordLength = 12;

    /// <summary>Builds the script after checking the password and that the key belongs to the certificate.</summary>
    public static Result<string> Create(
        X509Certificate2 leaf, IReadOnlyList<X509Certificate2> chain, AsymmetricAlgorithm key, string name, string password, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(key);
        if (string.IsNullOrEmpty(password) || password.Length < MinPasswordLength)
        {
            return new Error("password-too-short", $"The installer password must have at least {MinPasswordLength} characters.");
        }

        var safeName = SafeName(name);
        if (safeName is null)
        {
            return new Error("name-invalid", "The name must be a host name (letters, digits, dots, hyphens, underscores, '*').");
        }

        var pfx = CertificateExporter.Export(leaf, chain, key, ExportFormat.Pkcs12,
            new ExportOptions { IncludeKey = true, Passphrase = password, FriendlyName = safeName });
        if (!pfx.IsSuccess)
        {
            return pfx.Error;
        }

        var about = Clean($"{leaf.Subject}, serial {leaf.SerialNumber}, valid until {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd}");
        return Template
            .Replace("@NAME@", safeName, StringComparison.Ordinal)
            .Replace("@ABOUT@", about, StringComparison.Ordinal)
            .Replace("@CREATED@", now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@THUMBPRINT@", Thumbprints.Sha1(leaf), StringComparison.Ordinal)
            .Replace("@PFX@", Convert.ToBase64String(pfx.Value.Bytes.Span, Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private static string? SafeName(string name)
    {
        var n = (name ?? "").Trim().Replace("*", "_wildcard", StringComparison.Ordinal);
        return n.Length is > 0 and <= 200 && n.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_') && !n.StartsWith('.') ? n : null;
    }

    // Only for a comment line: no control characters (no line breaks), nothing else matters there.
    private static string Clean(string text) => new([.. text.Where(c => !char.IsControl(c))]);

    // Substituted values: a checked name (single-quoted), a hex thumbprint, base64, a date and a comment line. The
    // password is read with Read-Host -AsSecureString and never leaves a SecureString.
    private const string Template = """
# CertMgr one-click installer for Microsoft IIS: @NAME@
# Certificate: @ABOUT@
# SHA-1 thumbprint: @THUMBPRINT@
# Created @CREATED@. The certificate and key inside are a PKCS#12 file protected by the installer password.
#
# Usage (PowerShell 5.1 or later, as administrator):
#   powershell -ExecutionPolicy Bypass -File THIS-FILE [-SiteName 'Default Web Site'] [-Port 443] [-HostHeader NAME]
#   powershell -ExecutionPolicy Bypass -File THIS-FILE -Rollback   (binds the certificate that was bound before)
# Imports the certificate into Cert:\LocalMachine\My, binds it to the site's https binding (made if missing; with
# -HostHeader it uses SNI), and keeps the previous thumbprint in %ProgramData%\CertMgr\ for -Rollback. If binding
# fails, the previous certificate is bound again. Untested on Windows: review before use.
#Requires -RunAsAdministrator
#Requires -Version 5.1
param(
    [string]$SiteName = 'Default Web Site',
    [int]$Port = 443,
    [string]$HostHeader = '',
    [switch]$Rollback
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$Name = '@NAME@'
$Thumbprint = '@THUMBPRINT@'
Import-Module WebAdministration
$stateDir = Join-Path $env:ProgramData 'CertMgr'
$stateFile = Join-Path $stateDir "iis-previous-$Name-$Port.txt"

function Get-HttpsBinding {
    Get-WebBinding -Name $SiteName -Protocol 'https' -Port $Port -HostHeader $HostHeader
}

function Set-BindingCertificate([string]$thumb) {
    $binding = Get-HttpsBinding
    if ($null -eq $binding) {
        $sslFlags = if ($HostHeader) { 1 } else { 0 }
        New-WebBinding -Name $SiteName -Protocol 'https' -Port $Port -HostHeader $HostHeader -SslFlags $sslFlags
        $binding = Get-HttpsBinding
    }
    if ($binding.certificateHash) { $binding.RemoveSslCertificate() }
    $binding.AddSslCertificate($thumb, 'My')
}

if ($Rollback) {
    if (-not (Test-Path $stateFile)) { throw "No previous certificate was recorded for $SiteName port $Port." }
    $previous = (Get-Content $stateFile -Raw).Trim()
    Set-BindingCertificate $previous
    Write-Host "certmgr-installer: the previous certificate $previous is bound again to $SiteName port $Port."
    exit 0
}

$pfxBase64 = @'
@PFX@
'@
$password = Read-Host -AsSecureString -Prompt 'Installer password'
$pfxPath = Join-Path ([System.IO.Path]::GetTempPath()) ("certmgr-" + [guid]::NewGuid().ToString('N') + '.pfx')
try {
    [System.IO.File]::WriteAllBytes($pfxPath, [Convert]::FromBase64String($pfxBase64))
    $imported = Import-PfxCertificate -FilePath $pfxPath -CertStoreLocation 'Cert:\LocalMachine\My' -Password $password
}
catch {
    throw "Import failed (wrong password, or the installer is damaged): $($_.Exception.Message)"
}
finally {
    Remove-Item -LiteralPath $pfxPath -Force -ErrorAction SilentlyContinue
}
$leaf = $imported | Where-Object { $_.Thumbprint -eq $Thumbprint }
if ($null -eq $leaf -or -not $leaf.HasPrivateKey) { throw "The imported certificate $Thumbprint or its private key is missing from LocalMachine\My." }

$old = Get-HttpsBinding
$previous = if ($null -ne $old -and $old.certificateHash) { $old.certificateHash } else { '' }
if ($previous -eq $Thumbprint) {
    Write-Host "certmgr-installer: $SiteName port $Port already uses $Thumbprint; nothing to do."
    exit 0
}
if ($previous) {
    New-Item -ItemType Directory -Force -Path $stateDir | Out-Null
    Set-Content -Path $stateFile -Value $previous -Encoding ASCII
    Write-Host "certmgr-installer: previous certificate $previous recorded in $stateFile (use -Rollback to restore it)."
}
try {
    Set-BindingCertificate $Thumbprint
}
catch {
    if ($previous) { Set-BindingCertificate $previous }
    throw "Binding the new certificate failed; the previous one is bound again: $($_.Exception.Message)"
}
Write-Host "certmgr-installer: $Thumbprint is bound to $SiteName port $Port. Done."

""";
}
