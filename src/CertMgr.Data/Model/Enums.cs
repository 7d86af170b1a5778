namespace CertMgr.Data.Model;

/// <summary>How CertMgr treats a definition (guide 2.4).</summary>
public enum OperationMode
{
    LifecycleManaged,
    MonitoredOnly,
}

/// <summary>Whether processes wait for a person or run by themselves (guide 2.2).</summary>
public enum ExecutionMode
{
    Interactive,
    Unattended,
}

public enum KeyAlgorithm
{
    Rsa,
    Ecdsa,
}

public enum ValidationLevel
{
    DV,
    OV,
    EV,
}

public enum ServerSoftware
{
    Generic,
    Nginx,
    ApacheHttpd,
    HaProxy,
    Postfix,
    Dovecot,
    Vsftpd,
    MicrosoftIis,
    JavaKeystore,
    CertMgr,
}

public enum RequestKind
{
    New,
    Renewal,
}

/// <summary>The acquisition lifecycle of DESIGN.md.</summary>
public enum RequestStatus
{
    Draft,
    KeyAndCsrReady,
    ProductChosen,
    Ordered,
    Received,
    Completed,
    Interrupted,
    Cancelled,
}

public enum CertificateSource
{
    Imported,
    Received,
    IssuedByPrivateCa,
    Acme,
}

/// <summary>The deployment lifecycle of DESIGN.md.</summary>
public enum DeploymentStatus
{
    Prepared,
    InstallRequested,
    AutoInstalled,
    Confirmed,
    ManuallyConfirmed,
    CompletedWithoutCheck,
    CheckFailed,
}

public enum DeliveryMethod
{
    Email,
    Download,
}

public enum CheckStatus
{
    Ok,
    Ng,
    Unreachable,
}

public enum RunTrigger
{
    Scheduled,
    Manual,
}

public enum RunStatus
{
    Running,
    Completed,
    Failed,
    Cancelled,
}

public enum PrivateKeySource
{
    Generated,
    Imported,
}

public enum CaConnectionKind
{
    BuiltInCa,
    Acme,
    MicrosoftAdcs,
    /// <summary>A commercial CA ordered by hand (no automation; products are ordered by a person).</summary>
    Manual,
}

public enum SubmissionStatus
{
    Pending,
    Issued,
    Failed,
}

public enum EmailStatus
{
    Queued,
    Sent,
    Failed,
}

public enum UserRole
{
    Admin,
    User,
}

public enum PrivateCaMode
{
    Root,
    Subordinate,
}

public enum PrivateCaStatus
{
    /// <summary>Subordinate CA whose CSR waits for the parent's signature.</summary>
    AwaitingParentCertificate,
    Active,
    Retired,
}

public enum IssuedCertificateProfile
{
    Server,
    Client,
    Console,
}

public enum IssuedCertificateStatus
{
    /// <summary>Recorded before signing; without DER it means signing was interrupted.</summary>
    Pending,
    Valid,
    Revoked,
}

public enum DocumentKind
{
    OrderDocument,
    InstallPackage,
    Other,
}
