using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CertMgr.Data.Sqlite.Migrations
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
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "CrlNextUpdate",
                table: "private_cas",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "CrlThisUpdate",
                table: "private_cas",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "Sha256",
                table: "issued_certificates",
                type: "TEXT",
                maxLength: 64,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 64);

            migrationBuilder.AlterColumn<byte[]>(
                name: "Der",
                table: "issued_certificates",
                type: "BLOB",
                nullable: true,
                oldClrType: typeof(byte[]),
                oldType: "BLOB");

            migrationBuilder.AddColumn<string>(
                name: "Names",
                table: "issued_certificates",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "PublicKeySha256",
                table: "issued_certificates",
                type: "TEXT",
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
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.AlterColumn<byte[]>(
                name: "Der",
                table: "issued_certificates",
                type: "BLOB",
                nullable: false,
                defaultValue: new byte[0],
                oldClrType: typeof(byte[]),
                oldType: "BLOB",
                oldNullable: true);
        }
    }
}
