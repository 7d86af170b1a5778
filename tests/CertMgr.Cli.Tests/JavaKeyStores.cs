using System.Diagnostics;

namespace CertMgr.Cli.Tests;

/// <summary>
/// Keystores made by the real Java KeyStore API at test time: keytool refuses distinct store and key passwords for
/// PKCS12, the API does not (a key bag encrypted under another password than the MAC and the certificates).
/// </summary>
internal static class JavaKeyStores
{
    private const string Source = """
        import java.io.*;
        import java.security.*;
        import java.util.*;
        public class SplitPkcs12 {
            public static void main(String[] a) throws Exception {
                KeyStore source = KeyStore.getInstance("PKCS12");
                try (var in = new FileInputStream(a[0])) { source.load(in, a[1].toCharArray()); }
                String alias = Collections.list(source.aliases()).stream().filter(n -> {
                    try { return source.isKeyEntry(n); } catch (KeyStoreException e) { throw new RuntimeException(e); } }).findFirst().get();
                KeyStore target = KeyStore.getInstance("PKCS12");
                target.load(null, null);
                target.setKeyEntry("server", source.getKey(alias, a[1].toCharArray()), a[4].toCharArray(), source.getCertificateChain(alias));
                try (var out = new FileOutputStream(a[2])) { target.store(out, a[3].toCharArray()); }
            }
        }
        """;

    /// <summary>Copies the key entry of <paramref name="pkcs12"/> into <paramref name="target"/> with distinct passwords.</summary>
    public static void WriteSplitPkcs12(string directory, string pkcs12, string password, string target, string storePassword, string keyPassword)
    {
        File.WriteAllText(Path.Combine(directory, "SplitPkcs12.java"), Source);
        var start = new ProcessStartInfo("java") { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "SplitPkcs12.java", pkcs12, password, target, storePassword, keyPassword })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(120_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"java SplitPkcs12 failed: {stderr} {stdout.Result}");
        }
    }
}
