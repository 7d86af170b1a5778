using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Core.Pki.Writing;
using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments;

/// <summary>
/// The conventional install package (guide 2.8): a zip with the certificate, chain, full chain, the key encrypted
/// under the package passphrase (PKCS#8 PEM, and PKCS#12 with the chain), the server-specific files, and a README with
/// installation steps written for the chosen server software. The key never leaves unencrypted.
/// </summary>
public static class InstallPackage
{
    public static Result<byte[]> Create(
        X509Certificate2 leaf, IReadOnlyList<X509Certificate2> chain, AsymmetricAlgorithm key, ServerSoftware software, string name, string passphrase, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(key);
        var withKey = new ExportOptions { IncludeKey = true, Passphrase = passphrase, FriendlyName = name };
        var formats = new List<(string File, ExportFormat Format, ExportOptions Options)>
        {
            ("cert.pem", ExportFormat.PemCertificate, new ExportOptions()),
            ("fullchain.pem", ExportFormat.PemFullChain, new ExportOptions()),
            ("privkey.encrypted.pem", ExportFormat.PemPrivateKey, withKey),
            ("certificate.p12", ExportFormat.Pkcs12, withKey),
        };
        if (chain.Count > 0)
        {
            formats.Insert(1, ("chain.pem", ExportFormat.PemChain, new ExportOptions()));
        }

        if (software == ServerSoftware.JavaKeystore)
        {
            formats.Add(("keystore.p12", ExportFormat.JavaPkcs12Keystore, withKey));
        }

        if (software == ServerSoftware.MicrosoftIis)
        {
            formats.Add(("certificate.cer", ExportFormat.Der, new ExportOptions()));
        }

        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (file, format, options) in formats)
            {
                var exported = CertificateExporter.Export(leaf, chain, format is ExportFormat.PemPrivateKey or ExportFormat.Pkcs12 or ExportFormat.JavaPkcs12Keystore ? key : null, format, options);
                if (!exported.IsSuccess)
                {
                    return exported.Error;
                }

                var entry = archive.CreateEntry(file, CompressionLevel.Optimal);
                entry.LastWriteTime = now;
                using var stream = entry.Open();
                stream.Write(exported.Value.Bytes.Span);
            }

            var readme = archive.CreateEntry("README.txt", CompressionLevel.Optimal);
            readme.LastWriteTime = now;
            using var writer = new StreamWriter(readme.Open(), new UTF8Encoding(false));
            writer.Write(Readme(leaf, software, name, chain.Count > 0, now));
        }

        return zip.ToArray();
    }

    internal static string Readme(X509Certificate2 leaf, ServerSoftware software, string name, bool hasChain, DateTimeOffset now)
    {
        var dir = LinuxInstaller.ProfileFor(software, name).CertDirectory;
        var b = new StringBuilder();
        b.AppendLine($"Install package for {name} ({Label(software)}), made by CertMgr on {now.UtcDateTime:yyyy-MM-dd HH:mm} UTC.");
        b.AppendLine();
        b.AppendLine($"Certificate  {leaf.Subject}");
        b.AppendLine($"Issuer       {leaf.Issuer}");
        b.AppendLine($"Valid        {leaf.NotBefore.ToUniversalTime():yyyy-MM-dd} to {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd}");
        b.AppendLine($"SHA-1        {Thumbprints.Sha1(leaf)}");
        b.AppendLine($"SHA-256      {Thumbprints.Sha256(leaf)}");
        b.AppendLine();
        b.AppendLine("Files");
        b.AppendLine("  cert.pem               the certificate");
        if (hasChain)
        {
            b.AppendLine("  chain.pem              the intermediate CA certificate(s)");
        }

        b.AppendLine("  fullchain.pem          the certificate followed by the intermediates");
        b.AppendLine("  privkey.encrypted.pem  the private key, encrypted with the package passphrase (PKCS#8)");
        b.AppendLine("  certificate.p12        certificate, chain and key as PKCS#12, protected by the same passphrase");
        if (software == ServerSoftware.JavaKeystore)
        {
            b.AppendLine("  keystore.p12           a PKCS12 keystore for Java servers (store and key password = passphrase)");
        }

        b.AppendLine();
        b.AppendLine("The passphrase was given to you separately; it is not in this package. Keep privkey.pem readable by root only.");
        b.AppendLine();
        b.AppendLine("Steps");
        var decrypt = $"  openssl pkey -in privkey.encrypted.pem -out {dir}/privkey.pem   (asks for the passphrase)\n  chmod 600 {dir}/privkey.pem";
        switch (software)
        {
            case ServerSoftware.Nginx:
                b.AppendLine($"1. mkdir -p {dir} && cp fullchain.pem {dir}/");
                b.AppendLine($"2. Decrypt the key:\n{decrypt}");
                b.AppendLine($"3. In the server block for {name}:\n     ssl_certificate     {dir}/fullchain.pem;\n     ssl_certificate_key {dir}/privkey.pem;");
                b.AppendLine("4. nginx -t && nginx -s reload   (or: systemctl reload nginx)");
                break;
            case ServerSoftware.ApacheHttpd:
                b.AppendLine($"1. mkdir -p {dir} && cp fullchain.pem {dir}/");
                b.AppendLine($"2. Decrypt the key:\n{decrypt}");
                b.AppendLine($"3. In the <VirtualHost *:443> for {name} (Apache 2.4.8 or later):\n     SSLCertificateFile    {dir}/fullchain.pem\n     SSLCertificateKeyFile {dir}/privkey.pem");
                b.AppendLine("4. apachectl configtest && apachectl graceful");
                break;
            case ServerSoftware.HaProxy:
                b.AppendLine($"1. mkdir -p {dir}");
                b.AppendLine($"2. Build HAProxy's combined file (certificate, chain, key):\n  openssl pkey -in privkey.encrypted.pem -out key.tmp && cat fullchain.pem key.tmp > {dir}/{name}.pem && rm key.tmp\n  chmod 600 {dir}/{name}.pem");
                b.AppendLine($"3. On the frontend: bind :443 ssl crt {dir}/{name}.pem");
                b.AppendLine("4. haproxy -c -f /etc/haproxy/haproxy.cfg && systemctl reload haproxy");
                break;
            case ServerSoftware.Postfix:
                b.AppendLine($"1. mkdir -p {dir} && cp fullchain.pem {dir}/");
                b.AppendLine($"2. Decrypt the key:\n{decrypt}");
                b.AppendLine($"3. postconf -e 'smtpd_tls_chain_files = {dir}/privkey.pem, {dir}/fullchain.pem'");
                b.AppendLine("4. postfix check && postfix reload");
                break;
            case ServerSoftware.Dovecot:
                b.AppendLine($"1. mkdir -p {dir} && cp fullchain.pem {dir}/");
                b.AppendLine($"2. Decrypt the key:\n{decrypt}");
                b.AppendLine($"3. In conf.d/10-ssl.conf:\n     ssl_cert = <{dir}/fullchain.pem\n     ssl_key = <{dir}/privkey.pem");
                b.AppendLine("4. doveconf -n > /dev/null && doveadm reload");
                break;
            case ServerSoftware.Vsftpd:
                b.AppendLine($"1. mkdir -p {dir} && cp fullchain.pem {dir}/");
                b.AppendLine($"2. Decrypt the key:\n{decrypt}");
                b.AppendLine($"3. In /etc/vsftpd.conf:\n     ssl_enable=YES\n     rsa_cert_file={dir}/fullchain.pem\n     rsa_private_key_file={dir}/privkey.pem");
                b.AppendLine("4. systemctl restart vsftpd");
                break;
            case ServerSoftware.MicrosoftIis:
                b.AppendLine("1. Copy certificate.p12 to the server.");
                b.AppendLine("2. In PowerShell as administrator:\n     Import-PfxCertificate -FilePath certificate.p12 -CertStoreLocation Cert:\\LocalMachine\\My -Password (Read-Host -AsSecureString)");
                b.AppendLine($"3. In IIS Manager, edit the https binding of the site for {name} and choose the new certificate (SHA-1 {Thumbprints.Sha1(leaf)}).");
                break;
            case ServerSoftware.JavaKeystore:
                b.AppendLine("1. Copy keystore.p12 next to the server's configuration.");
                b.AppendLine("2. Tomcat: <Certificate certificateKeystoreFile=\"conf/keystore.p12\" certificateKeystoreType=\"PKCS12\" certificateKeystorePassword=\"...\"/>");
                b.AppendLine("   Spring Boot: server.ssl.key-store=keystore.p12, server.ssl.key-store-type=PKCS12, server.ssl.key-store-password=...");
                b.AppendLine("3. Check it: keytool -list -keystore keystore.p12 -storetype PKCS12; then restart the server.");
                break;
            default:
                b.AppendLine($"1. Copy fullchain.pem (or cert.pem and chain.pem) to where the server expects them, e.g. {dir}.");
                b.AppendLine($"2. Decrypt the key:\n{decrypt}");
                b.AppendLine("3. Point the server at the files and reload it.");
                break;
        }

        b.AppendLine();
        b.AppendLine("Afterwards CertMgr checks the server (deploy check) and tells you when the certificate is served.");
        return b.ToString();
    }

    public static string Label(ServerSoftware software) => software switch
    {
        ServerSoftware.Nginx => "nginx",
        ServerSoftware.ApacheHttpd => "Apache httpd",
        ServerSoftware.HaProxy => "HAProxy",
        ServerSoftware.Postfix => "Postfix",
        ServerSoftware.Dovecot => "Dovecot",
        ServerSoftware.Vsftpd => "vsftpd",
        ServerSoftware.MicrosoftIis => "Microsoft IIS",
        ServerSoftware.JavaKeystore => "Java keystore",
        ServerSoftware.CertMgr => "CertMgr",
        _ => "generic server",
    };
}
