using System.Text;

namespace CertMgr.Core.Common;

/// <summary>
/// CSV as every export writes it (discovery report, audit log): RFC 4180 quoting, CRLF rows, and a cell a spreadsheet
/// would run as a formula (leading <c>= + - @</c>, tab or CR) neutralised with a leading apostrophe.
/// </summary>
public static class CsvText
{
    /// <summary>One cell, quoted where it must be.</summary>
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    /// <summary>Appends one row of cells and its CRLF.</summary>
    public static StringBuilder AppendRow(StringBuilder csv, IEnumerable<string?> cells)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(cells);
        return csv.AppendJoin(',', cells.Select(Cell)).Append("\r\n");
    }
}
