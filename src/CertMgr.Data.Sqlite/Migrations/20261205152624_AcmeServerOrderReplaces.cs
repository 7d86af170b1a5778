using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CertMgr.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AcmeServerOrderReplaces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Replaces",
                table: "acme_server_orders",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Replaces",
                table: "acme_server_orders");
        }
    }
}
