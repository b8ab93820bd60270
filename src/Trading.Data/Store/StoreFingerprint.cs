using System.Security.Cryptography;
using Trading.Data.Text;

namespace Trading.Data.Store;

/// <summary>
/// What a store version holds, as one hash: SHA-256 over the names and bytes of its data files (every file of the
/// version folder but <c>manifest.json</c>, in ordinal name order). Two machines' stores agree on it exactly when a
/// backtest reads the same bytes from both, which the version name cannot say (each store counts its own imports:
/// two <c>v000001</c> may hold different data), nor the manifest (its creation time differs between two imports of
/// the same files). A sweep worker compares it with the sweeper's before running a point.
/// </summary>
public static class StoreFingerprint
{
    private const string ManifestFile = "manifest.json";

    public static string Of(MarketStore store)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var dir = store.VersionDirectory;
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/'))
            .Where(f => f != ManifestFile)
            .Order(StringComparer.Ordinal);
        var buffer = new byte[1 << 16];
        try
        {
            foreach (var name in files)
            {
                sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
                using var s = File.OpenRead(Path.Combine(dir, name));
                sha.AppendData(BitConverter.GetBytes(s.Length));
                int n;
                while ((n = s.Read(buffer)) > 0) sha.AppendData(buffer, 0, n);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"{Printable.Escape(dir)}: cannot read the store's files to fingerprint them ({Printable.Escape(e.Message)}).");
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
