namespace CertMgr.Data.Model;

/// <summary>Where a discovery scan is: a scan left Running by a process that died is marked Interrupted.</summary>
public enum ScanStatus
{
    Running,
    Completed,
    Cancelled,
    Interrupted,
    Failed,
}

/// <summary>What one endpoint turned out to be.</summary>
public enum FindingKind
{
    /// <summary>A TLS server; the certificate and chain as sent are stored.</summary>
    Tls,
    /// <summary>Answered, but not in TLS (HTTP, a banner, garbage).</summary>
    NonTls,
    /// <summary>Accepted the connection and never completed a handshake in time.</summary>
    Timeout,
    /// <summary>The handshake failed (an alert, a reset, more data than allowed).</summary>
    HandshakeFailed,
}

/// <summary>A network scan: address ranges × ports (guide 2.6).</summary>
public sealed class DiscoveryScan
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    /// <summary>Address ranges as entered (CIDR, a-b, host names).</summary>
    public List<string> Targets { get; set; } = [];
    public List<int> Ports { get; set; } = [];
    /// <summary>Ports as entered (lists and ranges).</summary>
    public string? PortsText { get; set; }
    public List<string> Excludes { get; set; } = [];
    public List<string> SniNames { get; set; } = [];
    /// <summary>Concurrency and timeouts as JSON.</summary>
    public string? OptionsJson { get; set; }
    public ScanStatus Status { get; set; } = ScanStatus.Running;
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    /// <summary>Refreshed while the scan runs; a Running scan whose heartbeat is old belongs to a process that is gone.</summary>
    public DateTimeOffset HeartbeatAt { get; set; }
    public required string CreatedBy { get; set; }
    /// <summary>Endpoints (addresses × ports) in the scan.</summary>
    public int TargetCount { get; set; }
    /// <summary>Endpoints finished so far.</summary>
    public int EndpointsProbed { get; set; }
    public int FoundCount { get; set; }
    public int NonTlsCount { get; set; }
    public int UnreachableCount { get; set; }
    /// <summary>Why a Failed scan failed.</summary>
    public string? Failure { get; set; }
    public List<DiscoveryFinding> Findings { get; } = [];
}

/// <summary>What one endpoint (address, port, SNI) served: a certificate with its verdicts, or why there was none.</summary>
public sealed class DiscoveryFinding
{
    public long Id { get; set; }
    public Guid DiscoveryScanId { get; set; }
    public DiscoveryScan DiscoveryScan { get; set; } = null!;
    public FindingKind Kind { get; set; }
    /// <summary>The address connected to.</summary>
    public required string Address { get; set; }
    /// <summary>The target as scanned: the address, or the host name.</summary>
    public required string Host { get; set; }
    public int Port { get; set; }
    public string? Sni { get; set; }
    /// <summary>Non-TLS, timeout or handshake failure: what happened.</summary>
    public string? Error { get; set; }
    public byte[]? LeafDer { get; set; }
    /// <summary>The certificates the server sent after the leaf, in its order.</summary>
    public string? ChainPem { get; set; }
    public string? Sha1 { get; set; }
    public string? Sha256 { get; set; }
    public string? Subject { get; set; }
    public string? CommonName { get; set; }
    public string? Issuer { get; set; }
    public DateTimeOffset? NotAfter { get; set; }
    public string? KeyAlgorithm { get; set; }
    public int KeySize { get; set; }
    public string? SignatureAlgorithm { get; set; }
    /// <summary>Certificates served, leaf included.</summary>
    public int ChainLength { get; set; }
    public bool Trusted { get; set; }
    public string? TrustDetail { get; set; }
    public bool SelfSigned { get; set; }
    public bool Expired { get; set; }
    public bool Expiring { get; set; }
    public bool HostnameMatch { get; set; }
    public bool WeakKey { get; set; }
    public bool WeakSignature { get; set; }
    public bool LongValidity { get; set; }
    /// <summary>Already in the inventory when found (by SHA-256).</summary>
    public bool Managed { get; set; }
    /// <summary>The policy problems in words ("; "-separated), empty when none.</summary>
    public string? Verdict { get; set; }
    /// <summary>The definition the certificate belongs to: known when found, or imported from here.</summary>
    public Guid? DefinitionId { get; set; }
    public CertificateDefinition? Definition { get; set; }
}
