using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CertMgr.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AcmeClientChallenges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Http01WebRoot",
                table: "ssh_install_settings",
                type: "character varying(1024)",
                maxLength: 1024,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Http01WebRoot",
                table: "ssh_install_settings");
        }
    }
}
