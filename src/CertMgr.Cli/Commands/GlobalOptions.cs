using System.CommandLine;

namespace CertMgr.Cli.Commands;

internal static class GlobalOptions
{
    public static readonly Option<string?> Home = new("--home")
    {
        Description = "Data directory (default: $CERTMGR_HOME, else ./certmgr-data). Created and initialised when new.",
        HelpName = "DIR",
        Recursive = true,
    };
}
