using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Probe;

/// <summary>
/// X.509 path validation of a served chain against given anchors only: the served intermediates are the only extra
/// certificates, nothing is downloaded, revocation is not checked here. The leaf's own dates are the validity check's
/// business, so a chain whose only fault is an expired or not-yet-valid leaf still counts as a complete chain.
/// </summary>
public static class PathVerdicts
{
    public static PathValidation Build(ProbeResult probe, X509Certificate2Collection anchors, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(anchors);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        var extra = probe.ServedChainDer.Select(X509CertificateLoader.LoadCertificate).ToList();
        chain.ChainPolicy.ExtraStore.AddRange(extra.ToArray());
        try
        {
            chain.Build(probe.Leaf);
            return From(chain);
        }
        finally
        {
            extra.ForEach(c => c.Dispose());
        }
    }

    public static PathValidation From(X509Chain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var elements = chain.ChainElements;
        var problems = new List<string>();
        for (var i = 0; i < elements.Count; i++)
        {
            foreach (var status in elements[i].ChainElementStatus)
            {
                if (status.Status == X509ChainStatusFlags.NoError || (i == 0 && status.Status == X509ChainStatusFlags.NotTimeValid))
                {
                    continue;
                }

                problems.Add(Explain(status.Status, elements[i].Certificate, i));
            }
        }

        if (problems.Count == 0 && elements.Count > 0)
        {
            var root = elements[^1].Certificate;
            return new PathValidation(true, $"chain of {elements.Count} leads to trusted root '{root.Subject}'");
        }

        if (problems.Count == 0)
        {
            problems.Add("no chain could be built");
        }

        return new PathValidation(false, string.Join("; ", problems.Distinct()));
    }

    private static string Explain(X509ChainStatusFlags flag, X509Certificate2 certificate, int depth) => flag switch
    {
        X509ChainStatusFlags.PartialChain =>
            $"incomplete chain: no served intermediate or trusted root issued '{certificate.Subject}' (issuer '{certificate.Issuer}'); the server may be missing an intermediate, or the issuer is not in the trusted CA set",
        X509ChainStatusFlags.UntrustedRoot => $"the root '{certificate.Subject}' is not in the trusted CA set",
        X509ChainStatusFlags.NotTimeValid => $"the CA certificate '{certificate.Subject}' has expired or is not yet valid",
        X509ChainStatusFlags.NotSignatureValid => $"the signature on '{certificate.Subject}' does not verify",
        X509ChainStatusFlags.InvalidBasicConstraints => $"'{certificate.Subject}' is not allowed to act as a CA",
        X509ChainStatusFlags.NotValidForUsage => $"'{certificate.Subject}' is not valid for this usage",
        X509ChainStatusFlags.Cyclic => "the chain is cyclic",
        _ => depth == 0 ? $"the certificate: {flag}" : $"'{certificate.Subject}': {flag}",
    };
}
