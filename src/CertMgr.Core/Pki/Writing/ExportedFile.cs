namespace CertMgr.Core.Pki.Writing;

/// <summary>An exported file: its bytes, a suggested file name, and its media type.</summary>
public sealed record ExportedFile(ReadOnlyMemory<byte> Bytes, string FileName, string ContentType)
{
    /// <summary>The suggested extension, with its dot (e.g. <c>.p12</c>).</summary>
    public string Extension => Path.GetExtension(FileName);

    /// <summary>True when the bytes hold a private key in the clear: treat the file as a secret.</summary>
    public bool ContainsUnencryptedKey { get; init; }

    public byte[] ToArray() => Bytes.ToArray();
}
