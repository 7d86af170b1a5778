using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CertMgr.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Notifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "LastAttemptAt",
                table: "sent_emails",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "NextAttemptAt",
                table: "sent_emails",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_sent_emails_Status_NextAttemptAt",
                table: "sent_emails",
                columns: new[] { "Status", "NextAttemptAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_sent_emails_Status_NextAttemptAt",
                table: "sent_emails");

            migrationBuilder.DropColumn(
                name: "LastAttemptAt",
                table: "sent_emails");

            migrationBuilder.DropColumn(
                name: "NextAttemptAt",
                table: "sent_emails");
        }
    }
}
