namespace CertMgr.Data.Model;

/// <summary>RFC 8555 7.1.6 status values of the ACME server's objects.</summary>
public enum AcmeServerStatus
{
    Pending,
    Ready,
    Processing,
    Valid,
    Invalid,
    Deactivated,
    Expired,
    Revoked,
}

/// <summary>An account registered with CertMgr's own ACME server (the built-in CA's directory).</summary>
public sealed class AcmeServerAccount
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>RFC 7638 thumbprint of the account key: the one key of one account.</summary>
    public required string KeyThumbprint { get; set; }
    /// <summary>The account's public JWK as JSON.</summary>
    public required string Jwk { get; set; }
    public List<string> Contact { get; set; } = [];
    public AcmeServerStatus Status { get; set; } = AcmeServerStatus.Valid;
    /// <summary>Domains this account may obtain (a name matches a domain and its subdomains); empty means the global list.</summary>
    public List<string> AllowedDomains { get; set; } = [];
    /// <summary>The EAB key id the account was bound with, if any.</summary>
    public string? EabKeyId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>External account binding credentials issued in the console (RFC 8555 7.3.4).</summary>
public sealed class AcmeServerEabKey
{
    public required string KeyId { get; set; }
    /// <summary>The HMAC key, sealed (purpose "acme-eab").</summary>
    public required byte[] EncryptedHmacKey { get; set; }
    public string? Note { get; set; }
    /// <summary>Copied to the account bound with this key.</summary>
    public List<string> AllowedDomains { get; set; } = [];
    public Guid? AccountId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>An order of the ACME server (RFC 8555 7.1.3).</summary>
public sealed class AcmeServerOrder
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid AccountId { get; set; }
    public AcmeServerAccount Account { get; set; } = null!;
    public AcmeServerStatus Status { get; set; } = AcmeServerStatus.Pending;
    /// <summary>DNS identifiers, lower-case, sorted.</summary>
    public List<string> Identifiers { get; set; } = [];
    public DateTimeOffset Expires { get; set; }
    /// <summary>The RFC 8555 problem document that made the order invalid.</summary>
    public string? ErrorJson { get; set; }
    /// <summary>The issued certificate's serial (hex) in the CA ledger.</summary>
    public string? CertificateSerial { get; set; }
    /// <summary>The inventory row of the issued certificate.</summary>
    public Guid? CertificateId { get; set; }
    public Guid? DefinitionId { get; set; }
    /// <summary>The certID (RFC 9773 5) of the account's earlier certificate this order renews, as the client sent it.</summary>
    public string? Replaces { get; set; }
    /// <summary>The certificate profile the client asked for (draft-ietf-acme-profiles); null: the server's default.</summary>
    public string? Profile { get; set; }
    public List<AcmeServerAuthorization> Authorizations { get; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An authorization for one identifier of one order (RFC 8555 7.1.4).</summary>
public sealed class AcmeServerAuthorization
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrderId { get; set; }
    public AcmeServerOrder Order { get; set; } = null!;
    public required string Identifier { get; set; }
    public bool Wildcard { get; set; }
    public AcmeServerStatus Status { get; set; } = AcmeServerStatus.Pending;
    public DateTimeOffset Expires { get; set; }
    public List<AcmeServerChallenge> Challenges { get; } = [];
}

/// <summary>A challenge of an authorization (RFC 8555 7.1.5, 8).</summary>
public sealed class AcmeServerChallenge
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid AuthorizationId { get; set; }
    public AcmeServerAuthorization Authorization { get; set; } = null!;
    /// <summary>"http-01" or "dns-01".</summary>
    public required string Type { get; set; }
    public required string Token { get; set; }
    public AcmeServerStatus Status { get; set; } = AcmeServerStatus.Pending;
    public DateTimeOffset? Validated { get; set; }
    public string? ErrorJson { get; set; }
}
