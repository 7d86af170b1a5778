using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CertMgr.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Discovery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_discovery_findings_DiscoveryScanId",
                table: "discovery_findings");

            migrationBuilder.AddColumn<string>(
                name: "CreatedBy",
                table: "discovery_scans",
                type: "character varying(255)",
                maxLength: 255,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<List<string>>(
                name: "Excludes",
                table: "discovery_scans",
                type: "text[]",
                nullable: false);

            migrationBuilder.AddColumn<string>(
                name: "Failure",
                table: "discovery_scans",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "FoundCount",
                table: "discovery_scans",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "HeartbeatAt",
                table: "discovery_scans",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<int>(
                name: "NonTlsCount",
                table: "discovery_scans",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "OptionsJson",
                table: "discovery_scans",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PortsText",
                table: "discovery_scans",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "SniNames",
                table: "discovery_scans",
                type: "text[]",
                nullable: false);

            migrationBuilder.AddColumn<int>(
                name: "TargetCount",
                table: "discovery_scans",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "UnreachableCount",
                table: "discovery_scans",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AlterColumn<string>(
                name: "Subject",
                table: "discovery_findings",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AlterColumn<string>(
                name: "Sha256",
                table: "discovery_findings",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "NotAfter",
                table: "discovery_findings",
                type: "timestamp with time zone",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone");

            migrationBuilder.AlterColumn<byte[]>(
                name: "LeafDer",
                table: "discovery_findings",
                type: "bytea",
                nullable: true,
                oldClrType: typeof(byte[]),
                oldType: "bytea");

            migrationBuilder.AlterColumn<string>(
                name: "Issuer",
                table: "discovery_findings",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AddColumn<string>(
                name: "Address",
                table: "discovery_findings",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "ChainLength",
                table: "discovery_findings",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "CommonName",
                table: "discovery_findings",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Error",
                table: "discovery_findings",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Expired",
                table: "discovery_findings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "Expiring",
                table: "discovery_findings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "HostnameMatch",
                table: "discovery_findings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "KeyAlgorithm",
                table: "discovery_findings",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "KeySize",
                table: "discovery_findings",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "discovery_findings",
                type: "character varying(40)",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<bool>(
                name: "LongValidity",
                table: "discovery_findings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "Managed",
                table: "discovery_findings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "SelfSigned",
                table: "discovery_findings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Sha1",
                table: "discovery_findings",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SignatureAlgorithm",
                table: "discovery_findings",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TrustDetail",
                table: "discovery_findings",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Trusted",
                table: "discovery_findings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "WeakKey",
                table: "discovery_findings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "WeakSignature",
                table: "discovery_findings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "IX_discovery_scans_StartedAt",
                table: "discovery_scans",
                column: "StartedAt");

            migrationBuilder.CreateIndex(
                name: "IX_discovery_findings_DiscoveryScanId_Kind",
                table: "discovery_findings",
                columns: new[] { "DiscoveryScanId", "Kind" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_discovery_scans_StartedAt",
                table: "discovery_scans");

            migrationBuilder.DropIndex(
                name: "IX_discovery_findings_DiscoveryScanId_Kind",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "CreatedBy",
                table: "discovery_scans");

            migrationBuilder.DropColumn(
                name: "Excludes",
                table: "discovery_scans");

            migrationBuilder.DropColumn(
                name: "Failure",
                table: "discovery_scans");

            migrationBuilder.DropColumn(
                name: "FoundCount",
                table: "discovery_scans");

            migrationBuilder.DropColumn(
                name: "HeartbeatAt",
                table: "discovery_scans");

            migrationBuilder.DropColumn(
                name: "NonTlsCount",
                table: "discovery_scans");

            migrationBuilder.DropColumn(
                name: "OptionsJson",
                table: "discovery_scans");

            migrationBuilder.DropColumn(
                name: "PortsText",
                table: "discovery_scans");

            migrationBuilder.DropColumn(
                name: "SniNames",
                table: "discovery_scans");

            migrationBuilder.DropColumn(
                name: "TargetCount",
                table: "discovery_scans");

            migrationBuilder.DropColumn(
                name: "UnreachableCount",
                table: "discovery_scans");

            migrationBuilder.DropColumn(
                name: "Address",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "ChainLength",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "CommonName",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "Error",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "Expired",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "Expiring",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "HostnameMatch",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "KeyAlgorithm",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "KeySize",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "LongValidity",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "Managed",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "SelfSigned",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "Sha1",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "SignatureAlgorithm",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "TrustDetail",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "Trusted",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "WeakKey",
                table: "discovery_findings");

            migrationBuilder.DropColumn(
                name: "WeakSignature",
                table: "discovery_findings");

            migrationBuilder.AlterColumn<string>(
                name: "Subject",
                table: "discovery_findings",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "Sha256",
                table: "discovery_findings",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "NotAfter",
                table: "discovery_findings",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)),
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone",
                oldNullable: true);

            migrationBuilder.AlterColumn<byte[]>(
                name: "LeafDer",
                table: "discovery_findings",
                type: "bytea",
                nullable: false,
                defaultValue: new byte[0],
                oldClrType: typeof(byte[]),
                oldType: "bytea",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "Issuer",
                table: "discovery_findings",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_discovery_findings_DiscoveryScanId",
                table: "discovery_findings",
                column: "DiscoveryScanId");
        }
    }
}
