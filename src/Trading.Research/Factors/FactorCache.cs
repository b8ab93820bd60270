using System.Buffers.Binary;
using System.Numerics;
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

    public FactorCache(string directory, long maxBytes = DefaultMaxBytes)
    {
        Directory = Path.GetFullPath(directory);
        MaxBytes = maxBytes;
    }

    public string Directory { get; }
    public long MaxBytes { get; }

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
            if (Checksum(panel.Values) != sum) throw new InvalidDataException("checksum");
            Touch(path);
            return panel;
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            TryDelete(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Stores a panel under its key (best effort: a full disk or a read-only folder only costs the next run the compute).</summary>
    public bool Write(string key, FactorPanel panel)
    {
        var path = PathOf(key);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
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
            BinaryPrimitives.WriteUInt64LittleEndian(header[16..], Checksum(panel.Values));
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
            TryDelete(temp);
            return false;
        }
    }

    /// <summary>Deletes the least recently used entries (and stale temporary files) until the folder is within <see cref="MaxBytes"/>.</summary>
    public void Evict(string? keep = null)
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        var entries = Entries().OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
        foreach (var t in new DirectoryInfo(Directory).EnumerateFiles("*.tmp"))
            if (t.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1)) TryDelete(t.FullName); // left by a killed run
        long total = entries.Sum(f => f.Length);
        foreach (var f in entries)
        {
            if (total <= MaxBytes) break;
            if (keep is not null && f.FullName == keep) continue;
            TryDelete(f.FullName);
            total -= f.Length;
        }
    }

    /// <summary>Every entry: factor panels and the studies kept beside them (<c>Analysis.StudyCache</c>).</summary>
    private IEnumerable<FileInfo> Entries() =>
        new DirectoryInfo(Directory).EnumerateFiles("*" + Extension).Concat(new DirectoryInfo(Directory).EnumerateFiles("*.study.json"));

    /// <summary>Entries and their total size.</summary>
    public (int Entries, long Bytes) Usage()
    {
        if (!System.IO.Directory.Exists(Directory)) return (0, 0);
        var files = Entries().ToList();
        return (files.Count, files.Sum(f => f.Length));
    }

    /// <summary>Deletes every entry; returns how many.</summary>
    public int Clear()
    {
        if (!System.IO.Directory.Exists(Directory)) return 0;
        int n = 0;
        foreach (var f in Entries()) if (TryDelete(f.FullName)) n++;
        return n;
    }

    /// <summary>A sum of the values' bits with a rotation per word: any single changed bit changes it; vectorised, ~memory speed.</summary>
    internal static ulong Checksum(ReadOnlySpan<double> values)
    {
        var words = MemoryMarshal.Cast<double, ulong>(values);
        ulong a = 0, b = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && words.Length >= Vector<ulong>.Count * 2)
        {
            var va = Vector<ulong>.Zero;
            var vb = Vector<ulong>.Zero;
            var vs = MemoryMarshal.Cast<ulong, Vector<ulong>>(words);
            foreach (var v in vs) { va += v; vb += va; }
            i = vs.Length * Vector<ulong>.Count;
            for (int k = 0; k < Vector<ulong>.Count; k++) { a += va[k]; b += vb[k] * (ulong)(k + 1); }
        }
        for (; i < words.Length; i++) { a += words[i]; b += a; }
        return a ^ BitOperations.RotateLeft(b, 29) ^ (ulong)words.Length;
    }

    private static void Touch(string path)
    {
        try { File.SetLastWriteTimeUtc(path, DateTime.UtcNow); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static bool TryDelete(string path)
    {
        try { File.Delete(path); return true; } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
