using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CertMgr.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_events",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Actor = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Address = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ObjectType = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ObjectId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Action = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Outcome = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Detail = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_events", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ca_connections",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Endpoint = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    AccountEmail = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    EncryptedSecret = table.Column<byte[]>(type: "bytea", nullable: true),
                    SettingsJson = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ca_connections", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "discovery_scans",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Targets = table.Column<List<string>>(type: "text[]", nullable: false),
                    Ports = table.Column<List<int>>(type: "integer[]", nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EndedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EndpointsProbed = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_discovery_scans", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "monitor_runs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Trigger = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EndedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    OkCount = table.Column<int>(type: "integer", nullable: false),
                    NgCount = table.Column<int>(type: "integer", nullable: false),
                    UnreachableCount = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_monitor_runs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "private_keys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Algorithm = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    KeySize = table.Column<int>(type: "integer", nullable: false),
                    Source = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    PublicKeySha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    EncryptedPkcs8 = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_private_keys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "provider_accounts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Provider = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Username = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    EncryptedPassword = table.Column<byte[]>(type: "bytea", nullable: true),
                    RegisteredEmail = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    Notes = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_provider_accounts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "sent_emails",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    To = table.Column<List<string>>(type: "text[]", nullable: false),
                    Cc = table.Column<List<string>>(type: "text[]", nullable: false),
                    Subject = table.Column<string>(type: "character varying(998)", maxLength: 998, nullable: false),
                    Body = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Tries = table.Column<int>(type: "integer", nullable: false),
                    LastError = table.Column<string>(type: "text", nullable: true),
                    RelatedType = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    RelatedId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sent_emails", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "settings",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Value = table.Column<string>(type: "text", nullable: true),
                    ProtectedValue = table.Column<byte[]>(type: "bytea", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_settings", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "trusted_ca_sets",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    IsDefault = table.Column<bool>(type: "boolean", nullable: false),
                    SystemFiles = table.Column<List<string>>(type: "text[]", nullable: false),
                    MergedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_trusted_ca_sets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    NormalizedUserName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    DisplayName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    Role = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    PasswordHash = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    MustChangePassword = table.Column<bool>(type: "boolean", nullable: false),
                    FailedLoginCount = table.Column<int>(type: "integer", nullable: false),
                    LockoutEnd = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Disabled = table.Column<bool>(type: "boolean", nullable: false),
                    SecurityStamp = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastLoginAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PasswordChangedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_users", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "products",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Provider = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    ValidationLevel = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Wildcard = table.Column<bool>(type: "boolean", nullable: false),
                    MaxSans = table.Column<int>(type: "integer", nullable: false),
                    MaxValidityDays = table.Column<int>(type: "integer", nullable: false),
                    ProductUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    CaConnectionId = table.Column<Guid>(type: "uuid", nullable: true),
                    Template = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_products", x => x.Id);
                    table.ForeignKey(
                        name: "FK_products_ca_connections_CaConnectionId",
                        column: x => x.CaConnectionId,
                        principalTable: "ca_connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "private_cas",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Mode = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    IsCurrent = table.Column<bool>(type: "boolean", nullable: false),
                    Subject = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    PrivateKeyId = table.Column<Guid>(type: "uuid", nullable: false),
                    CertificateDer = table.Column<byte[]>(type: "bytea", nullable: true),
                    ChainPem = table.Column<string>(type: "text", nullable: true),
                    CsrDer = table.Column<byte[]>(type: "bytea", nullable: true),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    NotBefore = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    NotAfter = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    NextCrlNumber = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_private_cas", x => x.Id);
                    table.ForeignKey(
                        name: "FK_private_cas_private_keys_PrivateKeyId",
                        column: x => x.PrivateKeyId,
                        principalTable: "private_keys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "trusted_ca_certificates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TrustedCaSetId = table.Column<Guid>(type: "uuid", nullable: false),
                    Der = table.Column<byte[]>(type: "bytea", nullable: false),
                    Subject = table.Column<string>(type: "text", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    NotAfter = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_trusted_ca_certificates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_trusted_ca_certificates_trusted_ca_sets_TrustedCaSetId",
                        column: x => x.TrustedCaSetId,
                        principalTable: "trusted_ca_sets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "api_tokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Prefix = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    TokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastUsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_tokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_api_tokens_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "issued_certificates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    PrivateCaId = table.Column<Guid>(type: "uuid", nullable: false),
                    SerialNumber = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    Profile = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Subject = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    Der = table.Column<byte[]>(type: "bytea", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    NotBefore = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    NotAfter = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RevocationReason = table.Column<int>(type: "integer", nullable: true),
                    IssuedBy = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    IssuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_issued_certificates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_issued_certificates_private_cas_PrivateCaId",
                        column: x => x.PrivateCaId,
                        principalTable: "private_cas",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ca_submissions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaConnectionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    ExternalId = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    Detail = table.Column<string>(type: "text", nullable: true),
                    SubmittedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ca_submissions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ca_submissions_ca_connections_CaConnectionId",
                        column: x => x.CaConnectionId,
                        principalTable: "ca_connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "certificates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DefinitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: true),
                    PrivateKeyId = table.Column<Guid>(type: "uuid", nullable: true),
                    Source = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Der = table.Column<byte[]>(type: "bytea", nullable: false),
                    ChainPem = table.Column<string>(type: "text", nullable: true),
                    Sha1 = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Subject = table.Column<string>(type: "text", nullable: false),
                    Issuer = table.Column<string>(type: "text", nullable: false),
                    SerialNumber = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    CommonName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    NotBefore = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    NotAfter = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SubjectAlternativeNames = table.Column<List<string>>(type: "text[]", nullable: false),
                    KeyAlgorithm = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    KeySize = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_certificates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_certificates_private_keys_PrivateKeyId",
                        column: x => x.PrivateKeyId,
                        principalTable: "private_keys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "definitions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    OperationMode = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    ExecutionMode = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    CommonName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Organization = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    OrganizationalUnit = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Locality = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    State = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Country = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    SubjectAlternativeNames = table.Column<List<string>>(type: "text[]", nullable: false),
                    KeyAlgorithm = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    KeySize = table.Column<int>(type: "integer", nullable: false),
                    RequestorName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    RequestorEmail = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    RequestorDepartment = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    ProductId = table.Column<Guid>(type: "uuid", nullable: true),
                    RequiredCa = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    RequiredValidationLevel = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    RequireWildcard = table.Column<bool>(type: "boolean", nullable: false),
                    RequireMultiDomain = table.Column<bool>(type: "boolean", nullable: false),
                    TargetServerName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    ServerSoftware = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Port = table.Column<int>(type: "integer", nullable: false),
                    ServerAdminEmail = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    ServerNameForCheck = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    CheckPort = table.Column<int>(type: "integer", nullable: true),
                    TrustedCaSetId = table.Column<Guid>(type: "uuid", nullable: true),
                    MonitoringEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    ExpiryThresholdDays = table.Column<int>(type: "integer", nullable: false),
                    RenewalLeadDays = table.Column<int>(type: "integer", nullable: false),
                    Tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    Notes = table.Column<string>(type: "text", nullable: true),
                    CurrentCertificateId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_definitions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_definitions_certificates_CurrentCertificateId",
                        column: x => x.CurrentCertificateId,
                        principalTable: "certificates",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_definitions_products_ProductId",
                        column: x => x.ProductId,
                        principalTable: "products",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_definitions_trusted_ca_sets_TrustedCaSetId",
                        column: x => x.TrustedCaSetId,
                        principalTable: "trusted_ca_sets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "deployments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CertificateId = table.Column<Guid>(type: "uuid", nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    TargetServerName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    ServerSoftware = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Delivery = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    ServerAdminEmail = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    AlternativeCheckName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    MonitoringDisabled = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deployments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_deployments_certificates_CertificateId",
                        column: x => x.CertificateId,
                        principalTable: "certificates",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "discovery_findings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DiscoveryScanId = table.Column<Guid>(type: "uuid", nullable: false),
                    Host = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Port = table.Column<int>(type: "integer", nullable: false),
                    Sni = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    LeafDer = table.Column<byte[]>(type: "bytea", nullable: false),
                    ChainPem = table.Column<string>(type: "text", nullable: true),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Subject = table.Column<string>(type: "text", nullable: false),
                    Issuer = table.Column<string>(type: "text", nullable: false),
                    NotAfter = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Verdict = table.Column<string>(type: "text", nullable: true),
                    DefinitionId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_discovery_findings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_discovery_findings_definitions_DefinitionId",
                        column: x => x.DefinitionId,
                        principalTable: "definitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_discovery_findings_discovery_scans_DiscoveryScanId",
                        column: x => x.DiscoveryScanId,
                        principalTable: "discovery_scans",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "documents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DefinitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    FileName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    ContentType = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    StoredPath = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    Kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    UploadedBy = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_documents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_documents_definitions_DefinitionId",
                        column: x => x.DefinitionId,
                        principalTable: "definitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "monitor_results",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    MonitorRunId = table.Column<Guid>(type: "uuid", nullable: false),
                    DefinitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Endpoint = table.Column<string>(type: "character varying(600)", maxLength: 600, nullable: false),
                    ServedSha1 = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    ServedSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Reason = table.Column<string>(type: "text", nullable: true),
                    ChecksJson = table.Column<string>(type: "text", nullable: true),
                    CheckedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DurationMs = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_monitor_results", x => x.Id);
                    table.ForeignKey(
                        name: "FK_monitor_results_definitions_DefinitionId",
                        column: x => x.DefinitionId,
                        principalTable: "definitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_monitor_results_monitor_runs_MonitorRunId",
                        column: x => x.MonitorRunId,
                        principalTable: "monitor_runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "requests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DefinitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    PrivateKeyId = table.Column<Guid>(type: "uuid", nullable: true),
                    CsrDer = table.Column<byte[]>(type: "bytea", nullable: true),
                    ProductId = table.Column<Guid>(type: "uuid", nullable: true),
                    ProviderAccountId = table.Column<Guid>(type: "uuid", nullable: true),
                    OrderDate = table.Column<DateOnly>(type: "date", nullable: true),
                    OrderNumber = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    OrderNotes = table.Column<string>(type: "text", nullable: true),
                    InterruptReason = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_requests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_requests_definitions_DefinitionId",
                        column: x => x.DefinitionId,
                        principalTable: "definitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_requests_private_keys_PrivateKeyId",
                        column: x => x.PrivateKeyId,
                        principalTable: "private_keys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_requests_products_ProductId",
                        column: x => x.ProductId,
                        principalTable: "products",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_requests_provider_accounts_ProviderAccountId",
                        column: x => x.ProviderAccountId,
                        principalTable: "provider_accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "deployment_events",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DeploymentId = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Action = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Outcome = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Detail = table.Column<string>(type: "text", nullable: true),
                    Actor = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deployment_events", x => x.Id);
                    table.ForeignKey(
                        name: "FK_deployment_events_deployments_DeploymentId",
                        column: x => x.DeploymentId,
                        principalTable: "deployments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_api_tokens_TokenHash",
                table: "api_tokens",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_api_tokens_UserId",
                table: "api_tokens",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_audit_events_At",
                table: "audit_events",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_audit_events_ObjectType_ObjectId",
                table: "audit_events",
                columns: new[] { "ObjectType", "ObjectId" });

            migrationBuilder.CreateIndex(
                name: "IX_ca_connections_Name",
                table: "ca_connections",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ca_submissions_CaConnectionId",
                table: "ca_submissions",
                column: "CaConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_ca_submissions_RequestId",
                table: "ca_submissions",
                column: "RequestId");

            migrationBuilder.CreateIndex(
                name: "IX_certificates_DefinitionId",
                table: "certificates",
                column: "DefinitionId");

            migrationBuilder.CreateIndex(
                name: "IX_certificates_NotAfter",
                table: "certificates",
                column: "NotAfter");

            migrationBuilder.CreateIndex(
                name: "IX_certificates_PrivateKeyId",
                table: "certificates",
                column: "PrivateKeyId");

            migrationBuilder.CreateIndex(
                name: "IX_certificates_RequestId",
                table: "certificates",
                column: "RequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_certificates_Sha1",
                table: "certificates",
                column: "Sha1");

            migrationBuilder.CreateIndex(
                name: "IX_certificates_Sha256",
                table: "certificates",
                column: "Sha256");

            migrationBuilder.CreateIndex(
                name: "IX_definitions_CommonName",
                table: "definitions",
                column: "CommonName");

            migrationBuilder.CreateIndex(
                name: "IX_definitions_CurrentCertificateId",
                table: "definitions",
                column: "CurrentCertificateId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_definitions_Name",
                table: "definitions",
                column: "Name");

            migrationBuilder.CreateIndex(
                name: "IX_definitions_OperationMode",
                table: "definitions",
                column: "OperationMode");

            migrationBuilder.CreateIndex(
                name: "IX_definitions_ProductId",
                table: "definitions",
                column: "ProductId");

            migrationBuilder.CreateIndex(
                name: "IX_definitions_TrustedCaSetId",
                table: "definitions",
                column: "TrustedCaSetId");

            migrationBuilder.CreateIndex(
                name: "IX_deployment_events_DeploymentId_At",
                table: "deployment_events",
                columns: new[] { "DeploymentId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_deployments_CertificateId",
                table: "deployments",
                column: "CertificateId");

            migrationBuilder.CreateIndex(
                name: "IX_deployments_Status",
                table: "deployments",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_discovery_findings_DefinitionId",
                table: "discovery_findings",
                column: "DefinitionId");

            migrationBuilder.CreateIndex(
                name: "IX_discovery_findings_DiscoveryScanId",
                table: "discovery_findings",
                column: "DiscoveryScanId");

            migrationBuilder.CreateIndex(
                name: "IX_discovery_findings_Sha256",
                table: "discovery_findings",
                column: "Sha256");

            migrationBuilder.CreateIndex(
                name: "IX_documents_DefinitionId",
                table: "documents",
                column: "DefinitionId");

            migrationBuilder.CreateIndex(
                name: "IX_issued_certificates_PrivateCaId_SerialNumber",
                table: "issued_certificates",
                columns: new[] { "PrivateCaId", "SerialNumber" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_monitor_results_DefinitionId_CheckedAt",
                table: "monitor_results",
                columns: new[] { "DefinitionId", "CheckedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_monitor_results_MonitorRunId",
                table: "monitor_results",
                column: "MonitorRunId");

            migrationBuilder.CreateIndex(
                name: "IX_monitor_runs_StartedAt",
                table: "monitor_runs",
                column: "StartedAt");

            migrationBuilder.CreateIndex(
                name: "IX_private_cas_PrivateKeyId",
                table: "private_cas",
                column: "PrivateKeyId");

            migrationBuilder.CreateIndex(
                name: "IX_private_keys_PublicKeySha256",
                table: "private_keys",
                column: "PublicKeySha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_products_CaConnectionId",
                table: "products",
                column: "CaConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_products_Provider_Name",
                table: "products",
                columns: new[] { "Provider", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_requests_DefinitionId_Status",
                table: "requests",
                columns: new[] { "DefinitionId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_requests_PrivateKeyId",
                table: "requests",
                column: "PrivateKeyId");

            migrationBuilder.CreateIndex(
                name: "IX_requests_ProductId",
                table: "requests",
                column: "ProductId");

            migrationBuilder.CreateIndex(
                name: "IX_requests_ProviderAccountId",
                table: "requests",
                column: "ProviderAccountId");

            migrationBuilder.CreateIndex(
                name: "IX_sent_emails_CreatedAt",
                table: "sent_emails",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_sent_emails_Status",
                table: "sent_emails",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_trusted_ca_certificates_TrustedCaSetId_Sha256",
                table: "trusted_ca_certificates",
                columns: new[] { "TrustedCaSetId", "Sha256" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_trusted_ca_sets_Name",
                table: "trusted_ca_sets",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_users_NormalizedUserName",
                table: "users",
                column: "NormalizedUserName",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_ca_submissions_requests_RequestId",
                table: "ca_submissions",
                column: "RequestId",
                principalTable: "requests",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_certificates_definitions_DefinitionId",
                table: "certificates",
                column: "DefinitionId",
                principalTable: "definitions",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_certificates_requests_RequestId",
                table: "certificates",
                column: "RequestId",
                principalTable: "requests",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_products_ca_connections_CaConnectionId",
                table: "products");

            migrationBuilder.DropForeignKey(
                name: "FK_certificates_requests_RequestId",
                table: "certificates");

            migrationBuilder.DropForeignKey(
                name: "FK_certificates_definitions_DefinitionId",
                table: "certificates");

            migrationBuilder.DropTable(
                name: "api_tokens");

            migrationBuilder.DropTable(
                name: "audit_events");

            migrationBuilder.DropTable(
                name: "ca_submissions");

            migrationBuilder.DropTable(
                name: "deployment_events");

            migrationBuilder.DropTable(
                name: "discovery_findings");

            migrationBuilder.DropTable(
                name: "documents");

            migrationBuilder.DropTable(
                name: "issued_certificates");

            migrationBuilder.DropTable(
                name: "monitor_results");

            migrationBuilder.DropTable(
                name: "sent_emails");

            migrationBuilder.DropTable(
                name: "settings");

            migrationBuilder.DropTable(
                name: "trusted_ca_certificates");

            migrationBuilder.DropTable(
                name: "users");

            migrationBuilder.DropTable(
                name: "deployments");

            migrationBuilder.DropTable(
                name: "discovery_scans");

            migrationBuilder.DropTable(
                name: "private_cas");

            migrationBuilder.DropTable(
                name: "monitor_runs");

            migrationBuilder.DropTable(
                name: "ca_connections");

            migrationBuilder.DropTable(
                name: "requests");

            migrationBuilder.DropTable(
                name: "provider_accounts");

            migrationBuilder.DropTable(
                name: "definitions");

            migrationBuilder.DropTable(
                name: "certificates");

            migrationBuilder.DropTable(
                name: "products");

            migrationBuilder.DropTable(
                name: "trusted_ca_sets");

            migrationBuilder.DropTable(
                name: "private_keys");
        }
    }
}
