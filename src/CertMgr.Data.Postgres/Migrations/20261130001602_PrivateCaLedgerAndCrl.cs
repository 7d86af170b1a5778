using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CertMgr.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class PrivateCaLedgerAndCrl : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "CrlDer",
                table: "private_cas",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CrlNextUpdate",
                table: "private_cas",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CrlThisUpdate",
                table: "private_cas",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "Sha256",
                table: "issued_certificates",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64);

            migrationBuilder.AlterColumn<byte[]>(
                name: "Der",
                table: "issued_certificates",
                type: "bytea",
                nullable: true,
                oldClrType: typeof(byte[]),
                oldType: "bytea");

            migrationBuilder.AddColumn<List<string>>(
                name: "Names",
                table: "issued_certificates",
                type: "text[]",
                nullable: false);

            migrationBuilder.AddColumn<string>(
                name: "PublicKeySha256",
                table: "issued_certificates",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "IX_issued_certificates_PrivateCaId_Status",
                table: "issued_certificates",
                columns: new[] { "PrivateCaId", "Status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_issued_certificates_PrivateCaId_Status",
                table: "issued_certificates");

            migrationBuilder.DropColumn(
                name: "CrlDer",
                table: "private_cas");

            migrationBuilder.DropColumn(
                name: "CrlNextUpdate",
                table: "private_cas");

            migrationBuilder.DropColumn(
                name: "CrlThisUpdate",
                table: "private_cas");

            migrationBuilder.DropColumn(
                name: "Names",
                table: "issued_certificates");

            migrationBuilder.DropColumn(
                name: "PublicKeySha256",
                table: "issued_certificates");

            migrationBuilder.AlterColumn<string>(
                name: "Sha256",
                table: "issued_certificates",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.AlterColumn<byte[]>(
                name: "Der",
                table: "issued_certificates",
                type: "bytea",
                nullable: false,
                defaultValue: new byte[0],
                oldClrType: typeof(byte[]),
                oldType: "bytea",
                oldNullable: true);
        }
    }
}
