namespace CertMgr.Data.Model;

/// <summary>A network scan: address ranges × ports (guide 2.6).</summary>
public sealed class DiscoveryScan
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    /// <summary>Address ranges as entered (CIDR, a-b, host names).</summary>
    public List<string> Targets { get; set; } = [];
    public List<int> Ports { get; set; } = [];
    public RunStatus Status { get; set; } = RunStatus.Running;
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public int EndpointsProbed { get; set; }
    public List<DiscoveryFinding> Findings { get; } = [];
}

/// <summary>A certificate found on one endpoint.</summary>
public sealed class DiscoveryFinding
{
    public long Id { get; set; }
    public Guid DiscoveryScanId { get; set; }
    public DiscoveryScan DiscoveryScan { get; set; } = null!;
    public required string Host { get; set; }
    public int Port { get; set; }
    public string? Sni { get; set; }
    public required byte[] LeafDer { get; set; }
    public string? ChainPem { get; set; }
    public required string Sha256 { get; set; }
    public required string Subject { get; set; }
    public required string Issuer { get; set; }
    public DateTimeOffset NotAfter { get; set; }
    /// <summary>Analysis verdict: OK, or why it fails the trust policy.</summary>
    public string? Verdict { get; set; }
    /// <summary>Set once the finding is imported.</summary>
    public Guid? DefinitionId { get; set; }
    public CertificateDefinition? Definition { get; set; }
}
