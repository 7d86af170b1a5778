using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments;

/// <summary>
/// The one-click installer for Linux (guide 2.8): one self-contained bash script carrying the certificate, chain and
/// key encrypted under a password (AES-256-CBC, PBKDF2-SHA256, 600,000 iterations, <c>openssl enc</c> format). It asks
/// for the password, installs the files for the server software with owner-only key permissions, backs up the old
/// files, validates the server configuration, reloads the service, and puts the old files back if validation fails.
/// </summary>
public static class LinuxInstaller
{
    /// <summary>Where each server software keeps the files by default, and how it validates and reloads.</summary>
    public sealed record Profile(string CertDirectory, string? Validate, string? Reload, bool Combined);

    public static bool Supports(ServerSoftware software) => software is not (ServerSoftware.MicrosoftIis or ServerSoftware.JavaKeystore or ServerSoftware.CertMgr);

    public static Profile ProfileFor(ServerSoftware software, string name)
    {
        var p = ServerProfiles.For(software);
        return new(p.CertDirectory(name), ServerProfile.ForScript(p.Validate, p), ServerProfile.ForScript(p.Reload, p), p.Combined);
    }

    /// <summary>Builds the installer after checking that the key belongs to the certificate.</summary>
    public static Result<string> Create(
        X509Certificate2 leaf, IReadOnlyList<X509Certificate2> chain, AsymmetricAlgorithm key, ServerSoftware software, string name, string password, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(key);
        if (!Supports(software))
        {
            return new Error("installer-unsupported", $"There is no Linux one-click installer for {software}; use the install package.");
        }

        if (string.IsNullOrEmpty(password) || password.Length < 12)
        {
            return new Error("password-too-short", "The installer password must have at least 12 characters.");
        }

        if (!string.Equals(Thumbprints.PublicKeySha256(leaf), Thumbprints.PublicKeySha256(key.ExportSubjectPublicKeyInfo()), StringComparison.Ordinal))
        {
            return new Error("key-mismatch", "The private key does not belong to the certificate.");
        }

        var safeName = SafeName(name);
        if (safeName is null)
        {
            return new Error("name-invalid", "The name must be a host name (letters, digits, dots, hyphens, underscores, '*').");
        }

        return CreateUnchecked(leaf.RawData, chain.Select(c => c.RawData).ToList(), key.ExportPkcs8PrivateKeyPem(), software, safeName, password, now, Describe(leaf));
    }

    /// <summary>The script itself, without the key check (tests use it to prove the rollback).</summary>
    internal static string CreateUnchecked(
        byte[] leafDer, IReadOnlyList<byte[]> chainDer, string keyPem, ServerSoftware software, string name, string password, DateTimeOffset now, string about)
    {
        var cert = PemEncoding.WriteString("CERTIFICATE", leafDer) + "\n";
        var chain = string.Concat(chainDer.Select(c => PemEncoding.WriteString("CERTIFICATE", c) + "\n"));
        var files = new Dictionary<string, string>
        {
            ["cert.pem"] = cert,
            ["chain.pem"] = chain,
            ["fullchain.pem"] = cert + chain,
            ["privkey.pem"] = keyPem.TrimEnd() + "\n",
            ["combined.pem"] = cert + chain + keyPem.TrimEnd() + "\n",
        };
        byte[] payload;
        using (var tar = new MemoryStream())
        {
            using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                foreach (var (file, content) in files)
                {
                    var entry = new PaxTarEntry(TarEntryType.RegularFile, file)
                    {
                        DataStream = new MemoryStream(Encoding.ASCII.GetBytes(content)),
                        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                        ModificationTime = now,
                    };
                    writer.WriteEntry(entry);
                }
            }

            var plain = tar.ToArray();
            payload = OpensslEnc.Encrypt(plain, password);
            CryptographicOperations.ZeroMemory(plain);
        }

        var profile = ProfileFor(software, name);
        var script = Template
            .Replace("@ABOUT@", about, StringComparison.Ordinal)
            .Replace("@CREATED@", now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@SOFTWARE@", software.ToString(), StringComparison.Ordinal)
            .Replace("@NAME@", name, StringComparison.Ordinal)
            .Replace("@CERT_DIR@", profile.CertDirectory, StringComparison.Ordinal)
            .Replace("@VALIDATE@", profile.Validate ?? "", StringComparison.Ordinal)
            .Replace("@RELOAD@", profile.Reload ?? "", StringComparison.Ordinal)
            .Replace("@COMBINED_NOTE@", profile.Combined ? " and combined.pem (0600, HAProxy)" : "", StringComparison.Ordinal)
            .Replace("@COMBINED@", profile.Combined ? "1" : "0", StringComparison.Ordinal)
            .Replace("@ITER@", OpensslEnc.Iterations.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@PAYLOAD@", Convert.ToBase64String(payload, Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        return script;
    }

    private static string Describe(X509Certificate2 leaf) =>
        $"{leaf.Subject}, serial {leaf.SerialNumber}, valid until {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd}, SHA-256 {Thumbprints.Sha256(leaf)}";

    private static string? SafeName(string name)
    {
        var n = (name ?? "").Trim().Replace("*", "_wildcard", StringComparison.Ordinal);
        return n.Length is > 0 and <= 200 && n.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_') && !n.StartsWith('.') ? n : null;
    }

    // Single-quoted heredocs and no expansion of anything that came from outside: the only substituted values are
    // the profile's fixed commands, a checked name and base64.
    private const string Template = """
#!/usr/bin/env bash
# CertMgr one-click installer: @NAME@ (@SOFTWARE@)
# Certificate: @ABOUT@
# Created @CREATED@. The certificate and key inside are encrypted; the installer asks for the password.
#
# Usage: sudo bash THIS-FILE [--cert-dir DIR] [--config FILE] [--password-file FILE] [--no-reload]
#   --cert-dir DIR        where the files go (default @CERT_DIR@)
#   --config FILE         the server's configuration file, for validation and reload
#   --password-file FILE  read the password from FILE instead of asking
#   --no-reload           install and validate, but do not reload the service
# Installs cert.pem, chain.pem, fullchain.pem (0644) and privkey.pem (0600)@COMBINED_NOTE@, keeps the old files in
# DIR/backup-TIMESTAMP/, validates the configuration and reloads the service; if validation fails, the old files are
# put back and nothing is reloaded.
set -euo pipefail
umask 077
CERT_DIR='@CERT_DIR@'
CONFIG=''
PASSWORD_FILE=''
RELOAD=1
COMBINED=@COMBINED@
die() { echo "certmgr-installer: $*" >&2; exit 1; }
say() { echo "certmgr-installer: $*"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --cert-dir) CERT_DIR=${2:?--cert-dir needs a directory}; shift 2 ;;
    --config) CONFIG=${2:?--config needs a file}; shift 2 ;;
    --password-file) PASSWORD_FILE=${2:?--password-file needs a file}; shift 2 ;;
    --no-reload) RELOAD=0; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
command -v openssl >/dev/null || die "openssl is required"
command -v tar >/dev/null || die "tar is required"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ -n "$PASSWORD_FILE" ]; then
  [ -r "$PASSWORD_FILE" ] || die "cannot read $PASSWORD_FILE"
  cp "$PASSWORD_FILE" "$WORK/pass"
else
  [ -r /dev/tty ] || die "no terminal to ask for the password; use --password-file"
  printf 'Installer password: ' >/dev/tty
  IFS= read -rs PASSWORD </dev/tty; echo >/dev/tty
  printf '%s' "$PASSWORD" >"$WORK/pass"; unset PASSWORD
fi
base64 -d >"$WORK/payload.enc" <<'CERTMGR_PAYLOAD'
@PAYLOAD@
CERTMGR_PAYLOAD
openssl enc -d -aes-256-cbc -pbkdf2 -iter @ITER@ -md sha256 -in "$WORK/payload.enc" -out "$WORK/payload.tar" -pass "file:$WORK/pass" 2>/dev/null \
  || die "wrong password, or the installer is damaged"
mkdir "$WORK/files"
tar -xf "$WORK/payload.tar" -C "$WORK/files"
openssl x509 -noout -in "$WORK/files/cert.pem" || die "the certificate inside is unreadable"
FILES="cert.pem chain.pem fullchain.pem privkey.pem"
[ "$COMBINED" = 1 ] && FILES="$FILES combined.pem"
VALIDATE='@VALIDATE@'
RELOAD_CMD='@RELOAD@'
if [ -z "$VALIDATE" ]; then
  # Nothing validates this server's configuration: at least make sure the key belongs to the certificate.
  a=$(openssl x509 -noout -pubkey -in "$WORK/files/cert.pem" | openssl pkey -pubin -outform DER | openssl dgst -sha256)
  b=$(openssl pkey -in "$WORK/files/privkey.pem" -pubout -outform DER | openssl dgst -sha256)
  [ "$a" = "$b" ] || die "the key inside does not belong to the certificate; nothing installed"
fi
mkdir -p "$CERT_DIR"
chmod 0755 "$CERT_DIR"
BACKUP="$CERT_DIR/backup-$(date -u +%Y%m%dT%H%M%SZ)"
had_old=0
for f in $FILES; do
  if [ -e "$CERT_DIR/$f" ]; then mkdir -p "$BACKUP"; cp -p "$CERT_DIR/$f" "$BACKUP/$f"; had_old=1; fi
done
[ "$had_old" = 1 ] && say "previous files kept in $BACKUP"
for f in $FILES; do
  case "$f" in privkey.pem|combined.pem) mode=0600 ;; *) mode=0644 ;; esac
  install -m "$mode" "$WORK/files/$f" "$CERT_DIR/$f.certmgr-new"
  mv -f "$CERT_DIR/$f.certmgr-new" "$CERT_DIR/$f"
done
say "installed $FILES in $CERT_DIR"
rollback() {
  for f in $FILES; do
    if [ -e "$BACKUP/$f" ]; then cp -p "$BACKUP/$f" "$CERT_DIR/$f"; else rm -f "$CERT_DIR/$f"; fi
  done
}
if [ -n "$VALIDATE" ]; then
  if ! out=$(eval "$VALIDATE" 2>&1); then
    rollback
    echo "$out" >&2
    die "the server configuration does not validate with the new files; the previous files are back and nothing was reloaded"
  fi
  say "configuration validates"
fi
if [ "$RELOAD" = 1 ] && [ -n "$RELOAD_CMD" ]; then
  eval "$RELOAD_CMD" || die "reload failed; the new files are installed and validate, reload the service by hand"
  say "service reloaded"
fi
say "done"

""";
}
