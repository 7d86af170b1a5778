using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CertMgr.Data.Sqlite.Migrations
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    KeyThumbprint = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Jwk = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Contact = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    AllowedDomains = table.Column<string>(type: "TEXT", nullable: false),
                    EabKeyId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_acme_server_accounts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "acme_server_eab_keys",
                columns: table => new
                {
                    KeyId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    EncryptedHmacKey = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    AllowedDomains = table.Column<string>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UsedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_acme_server_eab_keys", x => x.KeyId);
                });

            migrationBuilder.CreateTable(
                name: "acme_server_orders",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Identifiers = table.Column<string>(type: "TEXT", nullable: false),
                    Expires = table.Column<long>(type: "INTEGER", nullable: false),
                    ErrorJson = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    CertificateSerial = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    CertificateId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DefinitionId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrderId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Identifier = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    Wildcard = table.Column<bool>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Expires = table.Column<long>(type: "INTEGER", nullable: false)
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AuthorizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Token = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Validated = table.Column<long>(type: "INTEGER", nullable: true),
                    ErrorJson = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_acme_server_challenges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_acme_server_challenges_acme_server_authorizations_AuthorizationId",
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
