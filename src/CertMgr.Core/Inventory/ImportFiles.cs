using CertMgr.Core.Common;
using CertMgr.Core.Pki.Reading;

namespace CertMgr.Core.Inventory;

/// <summary>
/// Files and folders on disk as import input: folders are walked recursively in name order (so a certificate and its
/// key file land in the same chunk), symbolic links to folders are not followed (no loops), and a file over the size
/// limit is reported without being read.
/// </summary>
public static class ImportFiles
{
    /// <summary>The input files, lazily; a path that does not exist is one failed entry.</summary>
    public static IEnumerable<ImportFile> Collect(IEnumerable<string> paths, int maxBytes = ReadOptions.DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(paths);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Walk(path))
                {
                    yield return Load(file, maxBytes);
                }
            }
            else if (File.Exists(path))
            {
                yield return Load(path, maxBytes);
            }
            else
            {
                yield return ImportFile.Unreadable(path, Error.NotFound("not-found", "No such file or folder."));
            }
        }
    }

    private static IEnumerable<string> Walk(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            string[] files;
            string[] subdirs;
            try
            {
                files = Directory.GetFiles(dir);
                subdirs = Directory.GetDirectories(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            Array.Sort(files, StringComparer.Ordinal);
            foreach (var file in files)
            {
                yield return file;
            }

            Array.Sort(subdirs, StringComparer.Ordinal);
            for (var i = subdirs.Length - 1; i >= 0; i--)
            {
                if (new DirectoryInfo(subdirs[i]).LinkTarget is null)
                {
                    pending.Push(subdirs[i]);
                }
            }
        }
    }

    private static ImportFile Load(string path, int maxBytes)
    {
        try
        {
            var length = new FileInfo(path).Length;
            if (length > maxBytes)
            {
                return ImportFile.Unreadable(path, new Error(ReadErrors.TooLarge, $"The file is {length} bytes, over the limit of {maxBytes} bytes."));
            }

            return new ImportFile(path, File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ImportFile.Unreadable(path, new Error("unreadable", $"The file cannot be read: {ex.Message}"));
        }
    }
}
