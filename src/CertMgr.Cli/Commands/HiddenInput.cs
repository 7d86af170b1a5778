using System.Text;

namespace CertMgr.Cli.Commands;

/// <summary>Reads a password or passphrase from the terminal without echoing it; the prompt goes to standard error.</summary>
internal static class HiddenInput
{
    public static string Read(TextWriter error, string prompt)
    {
        error.Write(prompt);
        error.Flush();
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }

                continue;
            }

            if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        error.WriteLine();
        return text.ToString();
    }
}
