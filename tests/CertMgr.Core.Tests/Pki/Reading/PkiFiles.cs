using System.Text;

namespace CertMgr.Core.Tests.Pki.Reading;

/// <summary>
/// Certificate files made by the real openssl and keytool at test time, once per test class: a root, an
/// intermediate, an RSA leaf and an EC leaf, with their keys in every supported container and encryption.
/// </summary>
public sealed class PkiFiles : IDisposable
{
    public const string Password = "s3cret-pass";
    public const string StorePassword = "store-pass";
    public const string KeyPassword = "key-pass";

    public PkiFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "certmgr-pki-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Generate();
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public string Text(string name) => File.ReadAllText(PathOf(name));

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private void OpenSsl(params string[] args) => Tools.OpenSsl(Directory, args);

    private void Write(string name, string text) => File.WriteAllText(PathOf(name), text);

    private void Generate()
    {
        Write("ca.ext", "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
        Write("leaf.ext", "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n" +
            "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:www.example.test,DNS:example.test,IP:127.0.0.1\n" +
            "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");

        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc", "-keyout", "root.key",
            "-out", "root.pem", "-subj", "/CN=CertMgr Test Root/O=CertMgr Tests", "-days", "30",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        OpenSsl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc", "-keyout", "int.key",
            "-out", "int.csr", "-subj", "/CN=CertMgr Test Intermediate/O=CertMgr Tests");
        OpenSsl("x509", "-req", "-in", "int.csr", "-CA", "root.pem", "-CAkey", "root.key", "-out", "int.pem", "-days", "30", "-extfile", "ca.ext");

        // RSA leaf (PKCS#8 key from req), signed by the intermediate.
        OpenSsl("req", "-new", "-newkey", "rsa:2048", "-noenc", "-keyout", "leaf.key", "-out", "leaf.csr",
            "-subj", "/CN=www.example.test/O=Example Org/C=DE");
        OpenSsl("x509", "-req", "-in", "leaf.csr", "-CA", "int.pem", "-CAkey", "int.key", "-out", "leaf.pem", "-days", "30", "-extfile", "leaf.ext");

        // EC leaf.
        OpenSsl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-noenc", "-keyout", "ecleaf.key",
            "-out", "ecleaf.csr", "-subj", "/CN=ec.example.test");
        OpenSsl("x509", "-req", "-in", "ecleaf.csr", "-CA", "int.pem", "-CAkey", "int.key", "-out", "ecleaf.pem", "-days", "30", "-extfile", "leaf.ext");

        Write("chain.pem", Text("int.pem") + Text("root.pem"));
        Write("full.pem", Text("leaf.pem") + Text("int.pem") + Text("root.pem"));
        Write("reversed.pem", Text("root.pem") + Text("int.pem") + Text("leaf.pem"));
        Write("combined.pem", Text("leaf.key") + Text("int.pem") + Text("leaf.pem"));
        // BOM, CRLF and text around the blocks, as Windows tools and mail clients leave them.
        var crlf = "Bag Attributes\r\n    friendlyName: www\r\n" + Text("full.pem").Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\ntrailing notes\r\n";
        File.WriteAllBytes(PathOf("bom-crlf.pem"), [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(crlf)]);

        // Key encodings and encryptions.
        OpenSsl("rsa", "-in", "leaf.key", "-traditional", "-out", "leaf.pkcs1.key");
        OpenSsl("rsa", "-in", "leaf.key", "-traditional", "-des3", "-passout", "pass:" + Password, "-out", "leaf.des3.key");
        OpenSsl("rsa", "-in", "leaf.key", "-traditional", "-aes256", "-passout", "pass:" + Password, "-out", "leaf.aes.key");
        OpenSsl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "leaf.key", "-passout", "pass:" + Password, "-out", "leaf.p8enc.key");
        OpenSsl("pkcs8", "-topk8", "-nocrypt", "-in", "leaf.key", "-outform", "DER", "-out", "leaf.key.der");
        OpenSsl("ec", "-in", "ecleaf.key", "-out", "ecleaf.sec1.key");
        OpenSsl("ec", "-in", "ecleaf.key", "-aes256", "-passout", "pass:" + Password, "-out", "ecleaf.sec1enc.key");

        // DER and PKCS#7.
        OpenSsl("x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der");
        OpenSsl("crl2pkcs7", "-nocrl", "-certfile", "full.pem", "-out", "full.p7b");
        OpenSsl("crl2pkcs7", "-nocrl", "-certfile", "reversed.pem", "-outform", "DER", "-out", "full.p7c");

        // PKCS#12: modern, legacy, empty password, no password at all, hostile iteration count.
        OpenSsl("pkcs12", "-export", "-in", "leaf.pem", "-inkey", "leaf.key", "-certfile", "chain.pem", "-passout", "pass:" + Password,
            "-certpbe", "AES-256-CBC", "-keypbe", "AES-256-CBC", "-macalg", "sha256", "-out", "modern.p12");
        OpenSsl("pkcs12", "-export", "-legacy", "-in", "ecleaf.pem", "-inkey", "ecleaf.key", "-certfile", "chain.pem",
            "-passout", "pass:" + Password, "-out", "legacy.pfx");
        OpenSsl("pkcs12", "-export", "-in", "leaf.pem", "-inkey", "leaf.key", "-passout", "pass:", "-out", "empty.p12");
        OpenSsl("pkcs12", "-export", "-in", "leaf.pem", "-inkey", "leaf.key", "-keypbe", "NONE", "-certpbe", "NONE", "-nomac",
            "-passout", "pass:", "-out", "nopass.p12");
        OpenSsl("pkcs12", "-export", "-in", "ecleaf.pem", "-inkey", "ecleaf.key", "-passout", "pass:" + Password,
            "-iter", "1000000", "-out", "hostile.p12");

        // Unsupported algorithm.
        OpenSsl("req", "-x509", "-newkey", "ed25519", "-noenc", "-keyout", "ed25519.key", "-out", "ed25519.pem", "-subj", "/CN=ed", "-days", "30");

        // Java keystores: JKS with a key password unlike the store password, and a PKCS12 keystore.
        Tools.Keytool(Directory, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=jks.example.test, O=Example Org", "-validity", "30", "-storetype", "JKS", "-keystore", "store.jks",
            "-storepass", StorePassword, "-keypass", KeyPassword);
        Tools.Keytool(Directory, "-importkeystore", "-srckeystore", "modern.p12", "-srcstoretype", "PKCS12", "-srcstorepass", Password,
            "-destkeystore", "java.p12", "-deststoretype", "PKCS12", "-deststorepass", StorePassword);

        // A PKCS12 keystore whose key bag is encrypted under another password than the store (MAC, certificates):
        // keytool refuses distinct passwords for PKCS12, Java's KeyStore API does not.
        CertMgr.Cli.Tests.JavaKeyStores.WriteSplitPkcs12(Directory, "modern.p12", Password, "split.p12", StorePassword, KeyPassword);
    }
}
