using System.Security.Cryptography;
using CertMgr.Data.Model;

namespace CertMgr.Data.Tests.Infrastructure;

/// <summary>Valid entities with unique values, so that tests sharing a database never collide.</summary>
internal static class TestData
{
    /// <summary>A fixed instant: tests never read the clock.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static string HexOf(byte[] bytes) => Convert.ToHexString(bytes);

    public static CertificateDefinition Definition(string? commonName = null)
    {
        var cn = commonName ?? $"{Guid.NewGuid():N}.example.test";
        return new CertificateDefinition
        {
            Name = cn,
            CommonName = cn,
            SubjectAlternativeNames = [cn, "www." + cn],
            CreatedAt = T0,
            UpdatedAt = T0,
        };
    }

    public static Certificate Certificate(CertificateDefinition definition, DateTimeOffset? notAfter = null)
    {
        var der = RandomNumberGenerator.GetBytes(64);
        return new Certificate
        {
            Definition = definition,
            Source = CertificateSource.Imported,
            Der = der,
            Sha1 = HexOf(RandomNumberGenerator.GetBytes(20)),
            Sha256 = HexOf(SHA256.HashData(der)),
            Subject = "CN=" + definition.CommonName,
            Issuer = "CN=Test Issuing CA",
            SerialNumber = HexOf(RandomNumberGenerator.GetBytes(16)),
            CommonName = definition.CommonName,
            NotBefore = T0,
            NotAfter = notAfter ?? T0.AddDays(90),
            SubjectAlternativeNames = [definition.CommonName],
            KeyAlgorithm = KeyAlgorithm.Ecdsa,
            KeySize = 256,
            CreatedAt = T0,
        };
    }

    /// <summary>A key row; the sealed bytes are random because these tests are about relationships, not crypto.</summary>
    public static PrivateKey Key() => new()
    {
        Algorithm = KeyAlgorithm.Ecdsa,
        KeySize = 256,
        Source = PrivateKeySource.Generated,
        PublicKeySha256 = HexOf(RandomNumberGenerator.GetBytes(32)),
        EncryptedPkcs8 = RandomNumberGenerator.GetBytes(200),
        CreatedAt = T0,
    };

    public static CertificateRequest Request(CertificateDefinition definition, PrivateKey? key = null) => new()
    {
        Definition = definition,
        Kind = RequestKind.New,
        PrivateKey = key,
        CreatedAt = T0,
        UpdatedAt = T0,
    };

    public static CaConnection CaConnection() => new()
    {
        Name = Unique("acme"),
        Kind = CaConnectionKind.Acme,
        Endpoint = "https://127.0.0.1:14000/dir",
        CreatedAt = T0,
    };

    public static PrivateCa PrivateCa() => new()
    {
        Mode = PrivateCaMode.Root,
        Status = PrivateCaStatus.Active,
        Subject = "CN=" + Unique("CertMgr Test Root"),
        PrivateKey = Key(),
        CreatedAt = T0,
    };

    public static IssuedCertificate Issued(PrivateCa ca, string serial) => new()
    {
        PrivateCa = ca,
        SerialNumber = serial,
        Profile = IssuedCertificateProfile.Server,
        Subject = "CN=" + Unique("issued"),
        PublicKeySha256 = HexOf(RandomNumberGenerator.GetBytes(32)),
        Der = RandomNumberGenerator.GetBytes(64),
        Sha256 = HexOf(RandomNumberGenerator.GetBytes(32)),
        Status = IssuedCertificateStatus.Valid,
        NotBefore = T0,
        NotAfter = T0.AddDays(365),
        IssuedAt = T0,
    };

    public static User User()
    {
        var name = Unique("user");
        return new User
        {
            UserName = name,
            NormalizedUserName = name.ToUpperInvariant(),
            PasswordHash = "hash",
            CreatedAt = T0,
        };
    }

    public static ApiToken Token(User user, string? hash = null) => new()
    {
        User = user,
        Name = "ci",
        Prefix = "cm_abcd",
        TokenHash = hash ?? HexOf(RandomNumberGenerator.GetBytes(32)),
        CreatedAt = T0,
    };
}
