using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CertMgr.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SshInstall : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ssh_install_settings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DefinitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    Profile = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Host = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Port = table.Column<int>(type: "integer", nullable: false),
                    Username = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    AuthMethod = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    EncryptedPassword = table.Column<byte[]>(type: "bytea", nullable: true),
                    EncryptedPrivateKey = table.Column<byte[]>(type: "bytea", nullable: true),
                    EncryptedKeyPassphrase = table.Column<byte[]>(type: "bytea", nullable: true),
                    HostKeyAlgorithm = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    HostKeyFingerprint = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    UseSudo = table.Column<bool>(type: "boolean", nullable: false),
                    CertificatePath = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    ChainPath = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    FullChainPath = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    KeyPath = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    CombinedPath = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    FileOwner = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    FileGroup = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    KeyMode = table.Column<string>(type: "character varying(4)", maxLength: 4, nullable: false),
                    ValidateCommand = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    ReloadCommand = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ssh_install_settings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ssh_install_settings_definitions_DefinitionId",
                        column: x => x.DefinitionId,
                        principalTable: "definitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ssh_install_settings_DefinitionId",
                table: "ssh_install_settings",
                column: "DefinitionId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ssh_install_settings");
        }
    }
}
