using System.Runtime.InteropServices;
using CertMgr.Cli;

// Everything certmgr creates (database and its -wal/-shm files, documents, keys, CA files) is owner-only, including
// files that libraries such as SQLite create on their own: the process umask is set before anything is written.
ProcessUmask.OwnerOnly();
return await CliApp.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

/// <summary>The process umask (libc), so that new files are 600 and new folders 700 whoever creates them.</summary>
internal static partial class ProcessUmask
{
    public static void OwnerOnly()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            _ = Umask(0x3F); // 077 octal
        }
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial uint Umask(uint mask);
}
