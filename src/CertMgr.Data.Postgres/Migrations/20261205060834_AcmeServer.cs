using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CertMgr.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AcmeServer : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "acme_server_accounts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    KeyThumbprint = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Jwk = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Contact = table.Column<List<string>>(type: "text[]", nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    AllowedDomains = table.Column<List<string>>(type: "text[]", nullable: false),
                    EabKeyId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_acme_server_accounts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "acme_server_eab_keys",
                columns: table => new
                {
                    KeyId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    EncryptedHmacKey = table.Column<byte[]>(type: "bytea", nullable: false),
                    Note = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    AllowedDomains = table.Column<List<string>>(type: "text[]", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_acme_server_eab_keys", x => x.KeyId);
                });

            migrationBuilder.CreateTable(
                name: "acme_server_orders",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Identifiers = table.Column<List<string>>(type: "text[]", nullable: false),
                    Expires = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ErrorJson = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    CertificateSerial = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true),
                    CertificateId = table.Column<Guid>(type: "uuid", nullable: true),
                    DefinitionId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_acme_server_orders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_acme_server_orders_acme_server_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "acme_server_accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "acme_server_authorizations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrderId = table.Column<Guid>(type: "uuid", nullable: false),
                    Identifier = table.Column<string>(type: "character varying(260)", maxLength: 260, nullable: false),
                    Wildcard = table.Column<bool>(type: "boolean", nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Expires = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_acme_server_authorizations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_acme_server_authorizations_acme_server_orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "acme_server_orders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "acme_server_challenges",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AuthorizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Type = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Token = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Validated = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ErrorJson = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_acme_server_challenges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_acme_server_challenges_acme_server_authorizations_Authoriza~",
                        column: x => x.AuthorizationId,
                        principalTable: "acme_server_authorizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_acme_server_accounts_CreatedAt",
                table: "acme_server_accounts",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_acme_server_accounts_KeyThumbprint",
                table: "acme_server_accounts",
                column: "KeyThumbprint",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_acme_server_authorizations_OrderId",
                table: "acme_server_authorizations",
                column: "OrderId");

            migrationBuilder.CreateIndex(
                name: "IX_acme_server_challenges_AuthorizationId",
                table: "acme_server_challenges",
                column: "AuthorizationId");

            migrationBuilder.CreateIndex(
                name: "IX_acme_server_orders_AccountId_CreatedAt",
                table: "acme_server_orders",
                columns: new[] { "AccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_acme_server_orders_CreatedAt",
                table: "acme_server_orders",
                column: "CreatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "acme_server_challenges");

            migrationBuilder.DropTable(
                name: "acme_server_eab_keys");

            migrationBuilder.DropTable(
                name: "acme_server_authorizations");

            migrationBuilder.DropTable(
                name: "acme_server_orders");

            migrationBuilder.DropTable(
                name: "acme_server_accounts");
        }
    }
}
