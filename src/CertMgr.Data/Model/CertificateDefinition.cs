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

    // The list state: what the overview shows and filters on, kept in step with the requests, deployments, monitor
    // results and current certificate by the context on every SaveChanges (Data/DefinitionState); never set by hand.
    // Stored so that lists, counts and filters over 100,000 definitions read one narrow row each, not subqueries.

    /// <summary>Expiry of the current certificate.</summary>
    public DateTimeOffset? CurrentNotAfter { get; set; }
    /// <summary>The latest acquisition that is neither completed nor cancelled: the next certificate.</summary>
    public RequestStatus? NextStatus { get; set; }
    public RequestKind? NextKind { get; set; }
    public string? NextInterruptReason { get; set; }
    /// <summary>The latest deployment of the current certificate.</summary>
    public DeploymentStatus? DeployStatus { get; set; }
    /// <summary>The latest monitor result.</summary>
    public CheckStatus? MonitorStatus { get; set; }
    public string? MonitorReason { get; set; }
    public DateTimeOffset? MonitoredAt { get; set; }

    /// <summary>What the lists' search matches: name, common name, SANs and tags, lower-case, one per line.</summary>
    /// <remarks>Derived on every read from the fields it joins, so it can never disagree with them; stored only to be searched.</remarks>
    public string SearchText
    {
        get => SearchTexts.Join([Name, CommonName, .. SubjectAlternativeNames, .. Tags]);
        private set { }
    }

    public List<Certificate> Certificates { get; } = [];
    public List<CertificateRequest> Requests { get; } = [];
    public List<Document> Documents { get; } = [];
    public List<MonitorResult> MonitorResults { get; } = [];

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
