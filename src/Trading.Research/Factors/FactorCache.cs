using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// Factor panels kept on disk between runs, one file per (store version, factor spec, code): a researcher who changes a
/// weight and runs again reads the factors instead of computing them. An entry's key is a SHA-256 of the store
/// version's folder and manifest (a version is immutable; a new import is a new version, and a store made again in
/// the same place has a new manifest), the factor's canonical spec, the panel's shape and the build of the factor's
/// code (a changed factor is a different entry). Entries are written to a temporary file and renamed, checked on read
/// (header, length, checksum; a bad entry is deleted and recomputed), and the folder is kept under
/// <see cref="MaxBytes"/> by deleting the least recently used entries. Safe to share between processes.
/// </summary>
public sealed class FactorCache
{
    private const uint Magic = 0x50464154; // "TAFP"
    private const int Format = 1, HeaderBytes = 4 + 4 + 4 + 4 + 8 + 32;
    public const string Extension = ".fpanel";
    public const long DefaultMaxBytes = 4L << 30;

    public FactorCache(string directory, long maxBytes = DefaultMaxBytes) => Folder = new CacheFolder(directory, maxBytes);

    /// <summary>The folder's housekeeping (eviction, usage), shared with the decoded-panel cache that lives beside.</summary>
    public CacheFolder Folder { get; }
    public string Directory => Folder.Directory;
    public long MaxBytes => Folder.MaxBytes;

    /// <summary>The default folder: <c>$TRADING_CACHE_DIR/factors</c>, else <c>$XDG_CACHE_HOME/trading-actors/factors</c>, else <c>~/.cache/trading-actors/factors</c>.</summary>
    public static string DefaultDirectory()
    {
        if (Environment.GetEnvironmentVariable("TRADING_CACHE_DIR") is { Length: > 0 } own) return Path.Combine(own, "factors");
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = xdg is { Length: > 0 } ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "trading-actors", "factors");
    }

    /// <summary>The entry key of a factor on a panel of a store version (see the class summary).</summary>
    public static string Key(string storeVersion, IFactor factor, MarketPanel panel)
    {
        var text = new StringBuilder()
            .Append("format=").Append(Format).Append('\n')
            .Append("store=").Append(storeVersion).Append('\n')
            .Append("factor=").Append(factor.Name).Append('\n')
            .Append("type=").Append(factor.GetType().FullName).Append('@').Append(factor.GetType().Assembly.ManifestModule.ModuleVersionId).Append('\n')
            .Append("engine=").Append(typeof(FactorCache).Assembly.ManifestModule.ModuleVersionId).Append('\n')
            .Append("shape=").Append(panel.DayCount).Append('x').Append(panel.SymbolCount).Append('\n');
        if (panel.DayCount > 0) text.Append("dates=").Append(panel.Dates[0].DayNumber).Append('-').Append(panel.Dates[^1].DayNumber).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private string PathOf(string key) => Path.Combine(Directory, key + Extension);

    /// <summary>The cached panel, or null when there is none or it is damaged (then it is deleted).</summary>
    public FactorPanel? TryRead(string key, string name, int days, int symbols)
    {
        var path = PathOf(key);
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan);
            long cells = (long)days * symbols;
            if (fs.Length != HeaderBytes + cells * sizeof(double)) throw new InvalidDataException("length");
            Span<byte> header = stackalloc byte[HeaderBytes];
            fs.ReadExactly(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || BinaryPrimitives.ReadInt32LittleEndian(header[4..]) != Format
                || BinaryPrimitives.ReadInt32LittleEndian(header[8..]) != days || BinaryPrimitives.ReadInt32LittleEndian(header[12..]) != symbols
                || Convert.ToHexStringLower(header[24..]) != key)
                throw new InvalidDataException("header");
            ulong sum = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
            var panel = new FactorPanel(name, days, symbols, fill: false);
            fs.ReadExactly(MemoryMarshal.AsBytes(panel.Values.AsSpan()));
            if (CacheFolder.Checksum(MemoryMarshal.AsBytes(panel.Values.AsSpan())) != sum) throw new InvalidDataException("checksum");
            CacheFolder.Touch(path);
            return panel;
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            CacheFolder.TryDelete(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Stores a panel under its key (best effort: a full disk or a read-only folder only costs the next run the compute).</summary>
    public bool Write(string key, FactorPanel panel)
    {
        var path = PathOf(key);
        var temp = CacheFolder.TempFor(path);
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            long size = HeaderBytes + (long)panel.Values.Length * sizeof(double);
            if (size > MaxBytes) return false;
            Span<byte> header = stackalloc byte[HeaderBytes];
            BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
            BinaryPrimitives.WriteInt32LittleEndian(header[4..], Format);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], panel.Days);
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], panel.Symbols);
            BinaryPrimitives.WriteUInt64LittleEndian(header[16..], CacheFolder.Checksum(MemoryMarshal.AsBytes(panel.Values.AsSpan())));
            Convert.FromHexString(key).CopyTo(header[24..]);
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                fs.Write(header);
                fs.Write(MemoryMarshal.AsBytes(panel.Values.AsSpan()));
            }
            File.Move(temp, path, overwrite: true);
            Evict(keep: path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CacheFolder.TryDelete(temp);
            return false;
        }
    }

    /// <summary>Keeps the folder within its size (see <see cref="CacheFolder.Evict"/>).</summary>
    public void Evict(string? keep = null) => Folder.Evict(keep);

    /// <summary>Entries of every kind and their total size.</summary>
    public (int Entries, long Bytes) Usage() => Folder.Usage();
}
