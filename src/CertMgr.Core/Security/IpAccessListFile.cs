using CertMgr.Core.Common;
using CertMgr.Core.Setup;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Security;

/// <summary>
/// <c>ip_acl.txt</c> as it is now: re-read when it changes (<see cref="WatchedFiles"/>: time stamp and size, looked at
/// at most once a second), so an edit takes effect without a restart. Each problem found is logged once per version of the file.
/// </summary>
public sealed partial class IpAccessListFile(DataDirectory home, TimeProvider time, ILogger<IpAccessListFile> logger)
{
    private readonly Lock _gate = new();
    private readonly WatchedFiles _file = new(time, System.IO.Path.Combine(home.Root, IpAccessList.FileName));
    private IpAccessList _current = IpAccessList.None;

    public string Path => System.IO.Path.Combine(home.Root, IpAccessList.FileName);

    public IpAccessList Current
    {
        get
        {
            lock (_gate)
            {
                if (_file.Changed())
                {
                    Refresh();
                }

                return _current;
            }
        }
    }

    /// <summary>Reads the file again now (tests, and the admin screen after an edit).</summary>
    public IpAccessList Reload()
    {
        lock (_gate)
        {
            _file.Forget();
        }

        return Current;
    }

    private void Refresh()
    {
        if (!File.Exists(Path))
        {
            // Said when a file goes away, not at a start without one.
            if (!ReferenceEquals(_current, IpAccessList.None))
            {
                LogNoFile(logger, Path);
            }

            _current = IpAccessList.None;
            return;
        }

        try
        {
            _current = IpAccessList.Parse(File.ReadAllText(Path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _current = IpAccessList.Unreadable($"the file could not be read: {e.Message}");
            LogUnreadable(logger, e, Path);
            return;
        }

        foreach (var problem in _current.Problems)
        {
            LogBadLine(logger, Path, problem.LineNumber, problem.Line, problem.Reason);
        }

        if (_current.LoopbackFallback)
        {
            LogLoopbackOnly(logger, Path);
        }
        else
        {
            LogLoaded(logger, Path, _current.Networks.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "IP allow-list {Path} line {LineNumber} ignored (it allows nobody): '{Line}': {Reason}")]
    private static partial void LogBadLine(ILogger logger, string path, int lineNumber, string line, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "IP allow-list {Path} has no valid entry: only loopback addresses may connect until it is fixed")]
    private static partial void LogLoopbackOnly(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "IP allow-list {Path} could not be read: only loopback addresses may connect")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "IP allow-list {Path} loaded: {Count} network(s) allowed")]
    private static partial void LogLoaded(ILogger logger, string path, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "IP allow-list {Path} not present: every address is allowed")]
    private static partial void LogNoFile(ILogger logger, string path);
}
