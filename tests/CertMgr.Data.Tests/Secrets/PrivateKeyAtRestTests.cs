using System.Security.Cryptography;
using System.Text;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using CertMgr.Data.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CertMgr.Data.Tests.Secrets;

/// <summary>
/// The at-rest proof: a real private key stored through the model is nowhere in the database in the clear, in any
/// form a thief would search for, and it comes back whole with the master key.
/// </summary>
public sealed class PrivateKeyAtRestTests
{
    private readonly SecretProtector _protector = new(RandomNumberGenerator.GetBytes(32));

    public static TheoryData<string> Algorithms => new() { "EC P-256", "RSA 2048" };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task SaveChanges_PrivateKeyInSqlite_FileHoldsNoPlaintextAndKeyReadsBack(string algorithm)
    {
        using var material = KeyMaterial.Generate(algorithm);
        var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        await using (database)
        {
            var key = await StoreAsync(database, material);
            // Connections closed: SQLite checkpoints its WAL into the main file on the last close.
            SqliteConnection.ClearAllPools();

            var files = new[] { database.SqliteFile!, database.SqliteFile + "-wal", database.SqliteFile + "-shm" }
                .Where(File.Exists)
                .ToDictionary(path => Path.GetFileName(path), File.ReadAllBytes);
            var all = files.Values.SelectMany(b => b).ToArray();

            // Control: the public key (stored in the clear in the request's CSR) is found, so the search sees the data.
            Assert.True(Contains(all, material.PublicKeyDer), "the search does not see the stored rows");
            foreach (var (file, bytes) in files)
            {
                foreach (var (name, needle) in material.Secrets)
                {
                    Assert.False(Contains(bytes, needle), $"{name} of the {algorithm} key is readable in {file}");
                }
            }

            await AssertReadsBackAsync(database, key.Id, material);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task SaveChanges_PrivateKeyInPostgres_ColumnHoldsNoPlaintextAndKeyReadsBack(string algorithm)
    {
        using var material = KeyMaterial.Generate(algorithm);
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Postgres);
        var key = await StoreAsync(database, material);

        await using (var connection = new NpgsqlConnection(database.Settings.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                """
                SELECT "EncryptedPkcs8",
                       position(@der IN "EncryptedPkcs8"),
                       position(@slice IN "EncryptedPkcs8")
                FROM private_keys WHERE "Id" = @id
                """, connection);
            command.Parameters.AddWithValue("id", key.Id);
            command.Parameters.AddWithValue("der", material.Pkcs8);
            command.Parameters.AddWithValue("slice", material.Slice);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            var raw = reader.GetFieldValue<byte[]>(0);

            Assert.Equal(0, reader.GetInt32(1));
            Assert.Equal(0, reader.GetInt32(2));
            Assert.NotEqual(material.Pkcs8, raw);
            foreach (var (name, needle) in material.Secrets)
            {
                Assert.False(Contains(raw, needle), $"{name} of the {algorithm} key is readable in private_keys.EncryptedPkcs8");
            }

            Assert.Equal(material.Pkcs8, _protector.Unprotect(raw, SecretPurposes.PrivateKey));
        }

        await AssertReadsBackAsync(database, key.Id, material);
    }

    private async Task<PrivateKey> StoreAsync(TestDatabase database, KeyMaterial material)
    {
        var key = new PrivateKey
        {
            Name = "at-rest proof",
            Algorithm = material.Algorithm,
            KeySize = material.KeySize,
            Source = PrivateKeySource.Generated,
            PublicKeySha256 = Convert.ToHexString(SHA256.HashData(material.PublicKeyDer)),
            EncryptedPkcs8 = _protector.Protect(material.Pkcs8, SecretPurposes.PrivateKey),
            CreatedAt = TestData.T0,
        };
        var definition = TestData.Definition();
        var request = TestData.Request(definition, key);
        request.CsrDer = material.PublicKeyDer;
        await using var context = database.CreateContext();
        context.Requests.Add(request);
        await context.SaveChangesAsync();
        return key;
    }

    private async Task AssertReadsBackAsync(TestDatabase database, Guid id, KeyMaterial material)
    {
        await using var context = database.CreateContext();
        var stored = await context.PrivateKeys.AsNoTracking().SingleAsync(k => k.Id == id);
        var pkcs8 = _protector.Unprotect(stored.EncryptedPkcs8, SecretPurposes.PrivateKey);

        Assert.Equal(material.Pkcs8, pkcs8);
        Assert.True(material.Matches(pkcs8), "the unsealed key is not the generated one");
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    /// <summary>A freshly generated key and every plaintext form of it that must not reach the disk.</summary>
    private sealed class KeyMaterial : IDisposable
    {
        private static readonly byte[] SignMe = Encoding.UTF8.GetBytes("at rest");
        private readonly AsymmetricAlgorithm _key;

        private KeyMaterial(AsymmetricAlgorithm key, KeyAlgorithm algorithm, int keySize, byte[] privateSlice)
        {
            _key = key;
            Algorithm = algorithm;
            KeySize = keySize;
            Pkcs8 = key.ExportPkcs8PrivateKey();
            PublicKeyDer = key.ExportSubjectPublicKeyInfo();
            var pem = key.ExportPkcs8PrivateKeyPem();
            // A distinctive 32-byte run from the middle of the DER: inside the private scalar or exponent.
            Slice = Pkcs8.AsSpan(Pkcs8.Length / 2, 32).ToArray();
            var pemBody = pem.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1];
            Secrets =
            [
                ("the PKCS#8 DER", Pkcs8),
                ("the PEM text", Encoding.ASCII.GetBytes(pem)),
                ("a PEM body line", Encoding.ASCII.GetBytes(pemBody)),
                ("a 32-byte slice of the DER", Slice),
                ("the private scalar/exponent", privateSlice),
                ("a PEM body line in UTF-16", Encoding.Unicode.GetBytes(pemBody)),
            ];
        }

        public KeyAlgorithm Algorithm { get; }

        public int KeySize { get; }

        public byte[] Pkcs8 { get; }

        public byte[] PublicKeyDer { get; }

        public byte[] Slice { get; }

        public IReadOnlyList<(string Name, byte[] Bytes)> Secrets { get; }

        public static KeyMaterial Generate(string algorithm) => algorithm switch
        {
            "EC P-256" => FromEc(ECDsa.Create(ECCurve.NamedCurves.nistP256)),
            "RSA 2048" => FromRsa(RSA.Create(2048)),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
        };

        /// <summary>True when <paramref name="pkcs8"/> signs something the generated public key verifies.</summary>
        public bool Matches(byte[] pkcs8) => _key switch
        {
            ECDsa ec => EcMatches(ec, pkcs8),
            RSA rsa => RsaMatches(rsa, pkcs8),
            _ => false,
        };

        private static KeyMaterial FromEc(ECDsa ec) => new(ec, KeyAlgorithm.Ecdsa, 256, ec.ExportParameters(true).D!);

        private static KeyMaterial FromRsa(RSA rsa) => new(rsa, KeyAlgorithm.Rsa, 2048, rsa.ExportParameters(true).D![..32]);

        private static bool EcMatches(ECDsa original, byte[] pkcs8)
        {
            using var loaded = ECDsa.Create();
            loaded.ImportPkcs8PrivateKey(pkcs8, out _);
            return original.VerifyData(SignMe, loaded.SignData(SignMe, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256);
        }

        private static bool RsaMatches(RSA original, byte[] pkcs8)
        {
            using var loaded = RSA.Create();
            loaded.ImportPkcs8PrivateKey(pkcs8, out _);
            var signature = loaded.SignData(SignMe, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
            return original.VerifyData(SignMe, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }

        public void Dispose() => _key.Dispose();
    }
}
