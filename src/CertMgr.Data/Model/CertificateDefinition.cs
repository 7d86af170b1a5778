namespace CertMgr.Data.Model;

/// <summary>
/// The requirement for one server certificate (guide 2.3): what it must say, where it goes, how it is watched.
/// </summary>
public sealed class CertificateDefinition
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>A short display name; defaults to the common name.</summary>
    public required string Name { get; set; }

    public OperationMode OperationMode { get; set; } = OperationMode.LifecycleManaged;
    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.Interactive;

    // Subject DN
    public required string CommonName { get; set; }
    public string? Organization { get; set; }
    public string? OrganizationalUnit { get; set; }
    public string? Locality { get; set; }
    public string? State { get; set; }
    public string? Country { get; set; }
    public List<string> SubjectAlternativeNames { get; set; } = [];

    // Key spec
    public KeyAlgorithm KeyAlgorithm { get; set; } = KeyAlgorithm.Ecdsa;
    /// <summary>RSA modulus bits, or the EC curve size (256, 384, 521).</summary>
    public int KeySize { get; set; } = 256;

    // Requestor
    public string? RequestorName { get; set; }
    public string? RequestorEmail { get; set; }
    public string? RequestorDepartment { get; set; }

    // Product, or the requirements a product must meet
    public Guid? ProductId { get; set; }
    public Product? Product { get; set; }
    public string? RequiredCa { get; set; }
    public ValidationLevel? RequiredValidationLevel { get; set; }
    public bool RequireWildcard { get; set; }
    public bool RequireMultiDomain { get; set; }

    // Target server
    public string? TargetServerName { get; set; }
    public ServerSoftware ServerSoftware { get; set; } = ServerSoftware.Generic;
    public int Port { get; set; } = 443;
    public string? ServerAdminEmail { get; set; }
    public string? ServerNameForCheck { get; set; }
    public int? CheckPort { get; set; }

    // Monitoring
    public Guid? TrustedCaSetId { get; set; }
    public TrustedCaSet? TrustedCaSet { get; set; }
    public bool MonitoringEnabled { get; set; } = true;
    public int ExpiryThresholdDays { get; set; } = 30;
    public int RenewalLeadDays { get; set; } = 60;

    public List<string> Tags { get; set; } = [];
    public string? Notes { get; set; }

    /// <summary>The certificate currently in force; one of <see cref="Certificates"/>.</summary>
    /// <remarks>
    /// The definition and its current certificate point at each other, and EF cannot order that cycle within one
    /// SaveChanges: insert a new definition with its certificates first, then set this, in one transaction. Likewise,
    /// delete a definition without its certificates tracked (the database cascades) or with ExecuteDelete.
    /// </remarks>
    public Guid? CurrentCertificateId { get; set; }
    public Certificate? CurrentCertificate { get; set; }

    public List<Certificate> Certificates { get; } = [];
    public List<CertificateRequest> Requests { get; } = [];
    public List<Document> Documents { get; } = [];
    public List<MonitorResult> MonitorResults { get; } = [];

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
