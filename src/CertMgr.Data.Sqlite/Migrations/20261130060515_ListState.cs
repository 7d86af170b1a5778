using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CertMgr.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ListState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "certificate_contents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Der = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ChainPem = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_certificate_contents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_certificate_contents_certificates_Id",
                        column: x => x.Id,
                        principalTable: "certificates",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // The bytes move to their own table before the columns go (EF would otherwise drop them).
            migrationBuilder.Sql("INSERT INTO certificate_contents (\"Id\", \"Der\", \"ChainPem\") SELECT \"Id\", \"Der\", \"ChainPem\" FROM certificates;");

            migrationBuilder.DropForeignKey(
                name: "FK_definitions_certificates_CurrentCertificateId",
                table: "definitions");

            migrationBuilder.DropForeignKey(
                name: "FK_deployments_certificates_CertificateId",
                table: "deployments");

            migrationBuilder.DropColumn(
                name: "ChainPem",
                table: "certificates");

            migrationBuilder.DropColumn(
                name: "Der",
                table: "certificates");

            migrationBuilder.AddColumn<long>(
                name: "CurrentNotAfter",
                table: "definitions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DeployStatus",
                table: "definitions",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MonitorReason",
                table: "definitions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MonitorStatus",
                table: "definitions",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "MonitoredAt",
                table: "definitions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "NextInterruptReason",
                table: "definitions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "NextKind",
                table: "definitions",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "NextStatus",
                table: "definitions",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SearchText",
                table: "definitions",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SearchText",
                table: "certificates",
                type: "TEXT",
                nullable: false,
                defaultValue: "");


            migrationBuilder.CreateIndex(
                name: "IX_private_keys_CreatedAt",
                table: "private_keys",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_definitions_CurrentNotAfter",
                table: "definitions",
                column: "CurrentNotAfter");

            migrationBuilder.CreateIndex(
                name: "IX_definitions_Id_SearchText",
                table: "definitions",
                columns: new[] { "Id", "SearchText" });

            migrationBuilder.CreateIndex(
                name: "IX_definitions_MonitorStatus",
                table: "definitions",
                column: "MonitorStatus");

            migrationBuilder.CreateIndex(
                name: "IX_definitions_NextStatus",
                table: "definitions",
                column: "NextStatus");

            migrationBuilder.CreateIndex(
                name: "IX_definitions_renewal_due",
                table: "definitions",
                columns: new[] { "OperationMode", "NextStatus", "CurrentNotAfter", "RenewalLeadDays" });

            migrationBuilder.CreateIndex(
                name: "IX_certificates_SerialNumber",
                table: "certificates",
                column: "SerialNumber");

            migrationBuilder.AddForeignKey(
                name: "FK_definitions_certificate_contents_CurrentCertificateId",
                table: "definitions",
                column: "CurrentCertificateId",
                principalTable: "certificate_contents",
                principalColumn: "Id");

            migrationBuilder.AddForeignKey(
                name: "FK_deployments_certificate_contents_CertificateId",
                table: "deployments",
                column: "CertificateId",
                principalTable: "certificate_contents",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_definitions_certificate_contents_CurrentCertificateId",
                table: "definitions");

            migrationBuilder.DropForeignKey(
                name: "FK_deployments_certificate_contents_CertificateId",
                table: "deployments");

            migrationBuilder.DropTable(
                name: "certificate_contents");

            migrationBuilder.DropIndex(
                name: "IX_private_keys_CreatedAt",
                table: "private_keys");

            migrationBuilder.DropIndex(
                name: "IX_definitions_CurrentNotAfter",
                table: "definitions");

            migrationBuilder.DropIndex(
                name: "IX_definitions_Id_SearchText",
                table: "definitions");

            migrationBuilder.DropIndex(
                name: "IX_definitions_MonitorStatus",
                table: "definitions");

            migrationBuilder.DropIndex(
                name: "IX_definitions_NextStatus",
                table: "definitions");

            migrationBuilder.DropIndex(
                name: "IX_definitions_renewal_due",
                table: "definitions");

            migrationBuilder.DropIndex(
                name: "IX_certificates_SerialNumber",
                table: "certificates");

            migrationBuilder.DropColumn(
                name: "CurrentNotAfter",
                table: "definitions");

            migrationBuilder.DropColumn(
                name: "DeployStatus",
                table: "definitions");

            migrationBuilder.DropColumn(
                name: "MonitorReason",
                table: "definitions");

            migrationBuilder.DropColumn(
                name: "MonitorStatus",
                table: "definitions");

            migrationBuilder.DropColumn(
                name: "MonitoredAt",
                table: "definitions");

            migrationBuilder.DropColumn(
                name: "NextInterruptReason",
                table: "definitions");

            migrationBuilder.DropColumn(
                name: "NextKind",
                table: "definitions");

            migrationBuilder.DropColumn(
                name: "NextStatus",
                table: "definitions");

            migrationBuilder.DropColumn(
                name: "SearchText",
                table: "definitions");

            migrationBuilder.DropColumn(
                name: "SearchText",
                table: "certificates");

            migrationBuilder.AddColumn<string>(
                name: "ChainPem",
                table: "certificates",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "Der",
                table: "certificates",
                type: "BLOB",
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddForeignKey(
                name: "FK_definitions_certificates_CurrentCertificateId",
                table: "definitions",
                column: "CurrentCertificateId",
                principalTable: "certificates",
                principalColumn: "Id");

            migrationBuilder.AddForeignKey(
                name: "FK_deployments_certificates_CertificateId",
                table: "deployments",
                column: "CertificateId",
                principalTable: "certificates",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
