using System.Runtime.Versioning;

// The fixtures start Debian's PostgreSQL (runuser, /usr/lib/postgresql) and check Unix file modes.
[assembly: SupportedOSPlatform("linux")]
